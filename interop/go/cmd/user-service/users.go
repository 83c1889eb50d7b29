package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// The same rule as user/user.ts's USERNAME_PATTERN.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{2,31}$`)

const maxBodyBytes = 64 << 10

// user is the record as the user service's API returns it.
type user struct {
	Username  string `json:"username"`
	Email     string `json:"email"`
	FullName  string `json:"full_name"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// userStore keeps users in memory.
type userStore struct {
	mu    sync.RWMutex
	users map[string]user
}

func newUserStore() *userStore { return &userStore{users: map[string]user{}} }

func (s *userStore) get(username string) (user, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.users[username]
	return u, ok
}

func (s *userStore) create(u user) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.users[u.Username]; taken {
		return false
	}
	s.users[u.Username] = u
	return true
}

// httpError is written as {"error":{"code","message"}}, the shape of our services' errors.
type httpError struct {
	status  int
	code    string
	message string
}

func (e *httpError) Error() string { return e.message }

// routes answers GET /users/{username}, POST /users and GET /health as user/app.ts does.
func routes(store *userStore, logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	// A handler returns its status and body, or an error; it may set headers on w.
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request) (int, any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			status, body, err := h(w, r)
			var he *httpError
			if errors.As(err, &he) {
				status, body = he.status, map[string]any{
					"error": map[string]string{"code": he.code, "message": he.message},
				}
			} else if err != nil {
				logger.ErrorContext(r.Context(), "Request failed", "error", err.Error())
				status, body = http.StatusInternalServerError, map[string]any{
					"error": map[string]string{"code": "internal", "message": "Internal error"},
				}
			}
			w.Header().Set("content-type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(body)
		})
	}

	handle("GET /health", func(w http.ResponseWriter, _ *http.Request) (int, any, error) {
		w.Header().Set("cache-control", "no-store")
		return http.StatusOK, map[string]string{"status": "ok", "service": "user"}, nil
	})

	handle("GET /users/{username}", func(_ http.ResponseWriter, r *http.Request) (int, any, error) {
		username, err := usernameParam(r.PathValue("username"))
		if err != nil {
			return 0, nil, err
		}
		u, ok := store.get(username)
		if !ok {
			return 0, nil, &httpError{404, "user_not_found", fmt.Sprintf("User %q not found", username)}
		}
		logger.InfoContext(r.Context(), "User found", "username", username)
		return http.StatusOK, u, nil
	})

	handle("POST /users", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var input struct {
			Username string `json:"username"`
			Email    string `json:"email"`
			FullName string `json:"full_name"`
		}
		decoder := json.NewDecoder(io.LimitReader(r.Body, maxBodyBytes))
		decoder.DisallowUnknownFields()
		if err := decoder.Decode(&input); err != nil {
			if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				return 0, nil, &httpError{400, "invalid_request", "Invalid body: \"body\": Unrecognized key: " + field}
			}
			return 0, nil, &httpError{400, "malformed_json", fmt.Sprintf("Malformed JSON body: %v", err)}
		}
		if _, err := usernameParam(input.Username); err != nil {
			return 0, nil, err
		}
		if address, err := mail.ParseAddress(input.Email); err != nil || address.Address != input.Email {
			return 0, nil, &httpError{400, "invalid_request", "Invalid body: \"email\": expected a valid email address"}
		}
		fullName := strings.TrimSpace(input.FullName)
		if fullName == "" {
			return 0, nil, &httpError{400, "invalid_request", "Invalid body: \"full_name\": must not be empty"}
		}
		now := time.Now().UTC().Format(time.RFC3339Nano)
		u := user{input.Username, input.Email, fullName, now, now}
		if !store.create(u) {
			return 0, nil, &httpError{409, "user_exists", fmt.Sprintf("User %q already exists", u.Username)}
		}
		logger.InfoContext(r.Context(), "User created", "username", u.Username)
		w.Header().Set("location", "/users/"+url.PathEscape(u.Username))
		return http.StatusCreated, u, nil
	})
	return mux
}

func usernameParam(raw string) (string, error) {
	if !usernamePattern.MatchString(raw) {
		return "", &httpError{400, "invalid_request", fmt.Sprintf(
			"Invalid username %q: expected 3 to 32 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit",
			raw,
		)}
	}
	return raw, nil
}
