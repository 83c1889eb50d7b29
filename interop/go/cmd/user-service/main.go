// Command user-service stands in for our user service, as a Go user service of the seeds would:
// it answers GET /users/{username} (and POST /users, GET /health) with the same JSON, behind
// otelhttp's server middleware, so a trace crosses from our order service into Go.
// PORT (default 3001, user's port; 0 picks a free one) and HOST choose where it listens; OTEL_*
// configure telemetry.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"tracing-demo/interop/go/internal/telemetry"
)

func main() {
	logger := slog.New(traceIDs{slog.NewJSONHandler(os.Stdout, nil)}).With("service", serviceName())
	if err := run(logger); err != nil {
		logger.Error("Stopped on error", "error", err.Error())
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	shutdownTelemetry, err := telemetry.Start(ctx)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(env("HOST", "0.0.0.0"), env("PORT", "3001")))
	if err != nil {
		return err
	}
	// otelhttp names the SERVER span after the route ServeMux matched: "GET /users/{username}".
	handler := otelhttp.NewHandler(routes(newUserStore(), logger), "user")
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	logger.Info("Listening", "port", listener.Addr().(*net.TCPAddr).Port)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	deadline, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shutdownErr := server.Shutdown(deadline)
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		shutdownErr = errors.Join(shutdownErr, err)
	}
	logger.Info("Stopped")
	return errors.Join(shutdownErr, shutdownTelemetry(deadline))
}

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func serviceName() string { return env("OTEL_SERVICE_NAME", "user") }
