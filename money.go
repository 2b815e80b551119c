package coord

// Money is an amount in the minor unit of an ISO 4217 currency.
type Money struct {
	Amount   int64
	Currency string
}
