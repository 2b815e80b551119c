package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/coordapi/coord/client"
)

// tokenPath is where coord login keeps the user's JWT:
// $XDG_CONFIG_HOME/coord/token on Linux, the platform's equivalent elsewhere.
func tokenPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config directory: %w", err)
	}
	return filepath.Join(dir, "coord", "token"), nil
}

// savedToken is the token file: the JWT and the server it was minted by.
// A JWT is only good at the server that minted it, and sending it to another
// would hand a credential to whoever runs that one.
type savedToken struct {
	URL   string `json:"url"`
	Token string `json:"jwt_token"`
}

// saveToken writes the JWT minted by the server at base URL server, readable by the
// user only: it is a credential.
func saveToken(server, tok string) (string, error) {
	path, err := tokenPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("save token: %w", err)
	}
	body, err := json.Marshal(savedToken{URL: sameServer(server), Token: tok})
	if err != nil {
		return "", fmt.Errorf("save token: %w", err)
	}
	// Write then rename, so that a crash never leaves half a token, and
	// chmod in case an older file had looser permissions.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(body, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("save token: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return "", fmt.Errorf("save token: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("save token: %w", err)
	}
	return path, nil
}

// loadToken reads the JWT saved by coord login, refusing to send it to a
// server other than server (a base URL).
func loadToken(server string) (string, error) {
	path, err := tokenPath()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", errors.New("not logged in: run `coord login --test --email you@example.com` (or pass --token)")
	}
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	var saved savedToken
	if err := json.Unmarshal(b, &saved); err != nil || saved.Token == "" || saved.URL == "" {
		return "", fmt.Errorf("the saved token (%s) does not say which server it is for: run `coord login` again", path)
	}
	if saved.URL != sameServer(server) {
		return "", fmt.Errorf("the saved token is for %s, not %s: it is not sent to another server; run `coord login` with this --url, or pass --token", saved.URL, sameServer(server))
	}
	return saved.Token, nil
}

// sameServer is raw as compared for a saved token: no trailing slash, no
// API base path, lowercase scheme and host.
func sameServer(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return strings.TrimRight(raw, "/")
	}
	path := strings.TrimSuffix(strings.TrimRight(u.Path, "/"), client.DefaultBasePath)
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(path, "/")
}

// removeToken forgets the saved JWT; no saved token is not an error.
func removeToken() (string, error) {
	path, err := tokenPath()
	if err != nil {
		return "", err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("remove token: %w", err)
	}
	return path, nil
}
