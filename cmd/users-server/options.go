package main

import "time"

// options are the application's flags; the generated server adds its own
// (--host, --port, TLS, timeouts). Every one can also be set from the
// environment with the COORD_ prefix (COORD_DB, COORD_PORT, ...).
type options struct {
	DB             string        `long:"db" env:"DB" default:"coord.db" description:"SQLite file path, or a postgres:// DSN to share one database between replicas"`
	Catalog        string        `long:"catalog" env:"CATALOG" description:"catalog YAML file with partners, systems, locations and prices (default: the embedded demo catalog)"`
	JWTSecret      string        `long:"jwt-secret" env:"JWT_SECRET" description:"HMAC key for user JWTs, at least 32 bytes (default: generated once and kept in the database)"`
	JWTLifetime    time.Duration `long:"jwt-lifetime" env:"JWT_LIFETIME" default:"1h" description:"lifetime of minted user JWTs"`
	PendingTTL     time.Duration `long:"pending-ttl" env:"PENDING_TTL" default:"30m" description:"how long a gate session may wait for its entry scan before it is cancelled"`
	SettleInterval time.Duration `long:"settle-interval" env:"SETTLE_INTERVAL" default:"5s" description:"how often due gate exits and expired pending sessions are settled in the background"`
	LogLevel       string        `long:"log-level" env:"LOG_LEVEL" default:"info" choice:"debug" choice:"info" choice:"warn" choice:"error" description:"log level"`
	LogFormat      string        `long:"log-format" env:"LOG_FORMAT" default:"json" choice:"json" choice:"text" description:"log format: json for machines, text for a terminal"`
	Version        bool          `long:"version" description:"print the version and exit"`
}
