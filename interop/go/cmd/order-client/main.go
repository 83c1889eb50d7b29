// Command order-client creates one order through the order service's HTTP API. Its CLIENT span,
// made by otelhttp's transport, is the root of the trace that the order and user services
// continue. It prints one JSON line: the trace and span ids it sent, the status and the body.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"tracing-demo/interop/go/internal/telemetry"
)

type order struct {
	Username  string  `json:"username"`
	Item      string  `json:"item"`
	Quantity  int     `json:"quantity"`
	UnitPrice float64 `json:"unit_price"`
}

type result struct {
	TraceID string `json:"trace_id"`
	SpanID  string `json:"span_id"`
	Status  int    `json:"status"`
	// The server's W3C traceresponse header, when it sent one: the trace it recorded the call in.
	TraceResponse string          `json:"traceresponse"`
	Body          json.RawMessage `json:"body"`
}

// sentContext sits under otelhttp's transport and keeps the traceparent it injected: the CLIENT
// span's own ids, since W3C makes the sender's span the parent-id of what it sends.
type sentContext struct {
	base        http.RoundTripper
	traceparent string
}

func (s *sentContext) RoundTrip(r *http.Request) (*http.Response, error) {
	s.traceparent = r.Header.Get("traceparent")
	return s.base.RoundTrip(r)
}

func main() {
	orderURL := flag.String("url", "http://127.0.0.1:3000", "the order service's base URL")
	var o order
	flag.StringVar(&o.Username, "username", "ada", "who orders")
	flag.StringVar(&o.Item, "item", "analytical engine", "what is ordered")
	flag.IntVar(&o.Quantity, "quantity", 1, "how many")
	flag.Float64Var(&o.UnitPrice, "unit-price", 10, "price of one")
	flag.Parse()
	if err := run(*orderURL, o); err != nil {
		fmt.Fprintf(os.Stderr, "order-client: %v\n", err)
		os.Exit(1)
	}
}

func run(orderURL string, o order) error {
	ctx := context.Background()
	shutdown, err := telemetry.Start(ctx)
	if err != nil {
		return err
	}
	sent := &sentContext{base: http.DefaultTransport}
	client := &http.Client{
		Timeout: 10 * time.Second,
		// Semantic conventions name a client span by its method alone.
		Transport: otelhttp.NewTransport(sent, otelhttp.WithSpanNameFormatter(
			func(_ string, r *http.Request) string { return r.Method },
		)),
	}
	answer, callErr := post(ctx, client, strings.TrimRight(orderURL, "/")+"/orders", o)
	// Flush before printing: the caller reads the trace as soon as it has the ids.
	flushCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := shutdown(flushCtx); err != nil {
		return fmt.Errorf("flushing spans: %w", err)
	}
	if callErr != nil {
		return callErr
	}
	parts := strings.Split(sent.traceparent, "-")
	if len(parts) != 4 {
		return fmt.Errorf("no traceparent was sent (got %q)", sent.traceparent)
	}
	body := answer.body
	if !json.Valid(body) {
		body, _ = json.Marshal(string(body))
	}
	return json.NewEncoder(os.Stdout).Encode(result{
		TraceID: parts[1], SpanID: parts[2], Status: answer.status,
		TraceResponse: answer.traceResponse, Body: body,
	})
}

type answer struct {
	status        int
	traceResponse string
	body          []byte
}

func post(ctx context.Context, client *http.Client, url string, o order) (answer, error) {
	payload, err := json.Marshal(o)
	if err != nil {
		return answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("content-type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("POST %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("reading the answer of POST %s: %w", url, err)
	}
	return answer{resp.StatusCode, resp.Header.Get("traceresponse"), body}, nil
}
