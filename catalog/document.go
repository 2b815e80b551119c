package catalog

// document mirrors the YAML file; build turns it into domain values.
type document struct {
	Partners []partnerDoc `yaml:"partners"`
	Systems  []systemDoc  `yaml:"systems"`
}

type partnerDoc struct {
	Webhooks []webhookDoc `yaml:"webhooks"` // checked in webhooks.go

	ID                  string   `yaml:"id"`
	Name                string   `yaml:"name"`
	AccessKeys          []string `yaml:"access_keys"`
	ServerTokens        []string `yaml:"server_tokens"`
	RedirectURIPrefixes []string `yaml:"redirect_uri_prefixes"`
	// Sandbox is a pointer so that an absent key means the default, true.
	Sandbox   *bool         `yaml:"sandbox"`
	RateLimit *rateLimitDoc `yaml:"rate_limit"`
}

type rateLimitDoc struct {
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	Burst             int     `yaml:"burst"`
}

type systemDoc struct {
	ID           string          `yaml:"id"`
	Name         string          `yaml:"name"`
	Requirements requirementsDoc `yaml:"requirements"`
	LinkURL      string          `yaml:"link_url"`
	Locations    []locationDoc   `yaml:"locations"`
}

type requirementsDoc struct {
	JWTClaims      []string `yaml:"jwt_claims"`
	LinkedAccount  bool     `yaml:"linked_account"`
	UsersAPIFields []string `yaml:"users_api_fields"`
}

type locationDoc struct {
	ID               string    `yaml:"id"`
	Name             string    `yaml:"name"`
	TimeZone         string    `yaml:"time_zone"`
	OnlineAccessType string    `yaml:"online_access_type"`
	Price            *priceDoc `yaml:"price"`
}

type priceDoc struct {
	Rate        moneyDoc  `yaml:"rate"`
	RatePeriodM *int64    `yaml:"rate_period_m"`
	IncrementM  *int64    `yaml:"increment_m"`
	GraceM      int64     `yaml:"grace_m"`
	MaxCost     *moneyDoc `yaml:"max_cost"`
}

type moneyDoc struct {
	Amount   int64  `yaml:"amount"`
	Currency string `yaml:"currency"`
}
