package coordclient

import (
	"fmt"

	"golang.org/x/text/currency"

	"github.com/coordapi/coord/models"
)

// FormatMoney renders an amount in its currency's major unit: "USD 4.00",
// "JPY 500". Amounts are in the minor unit; the number of decimals comes
// from ISO 4217 (CLDR). Nil renders as "-".
func FormatMoney(m *models.Money) string {
	if m == nil || m.Amount == nil || m.Currency == "" {
		return "-"
	}
	code, amount := m.Currency, *m.Amount
	scale := 2
	if unit, err := currency.ParseISO(code); err == nil {
		scale, _ = currency.Standard.Rounding(unit)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	if scale == 0 {
		return fmt.Sprintf("%s %s%d", code, sign, amount)
	}
	div := int64(1)
	for range scale {
		div *= 10
	}
	return fmt.Sprintf("%s %s%d.%0*d", code, sign, amount/div, scale, amount%div)
}
