package httpapi

import (
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
)

func userModel(u *coord.User, systems []coord.SystemStatus) *models.User {
	m := &models.User{
		UserID: strfmt.UUID(u.UserID), ExternalUID: u.ExternalUID, Email: u.Email, Name: u.Name, Test: &u.Test,
		TransactableSystems: make([]*models.TransactableSystem, 0, len(systems)),
	}
	if u.Vehicle != nil {
		m.Vehicle = vehicleModel(u.Vehicle)
	}
	for _, st := range systems {
		id, linked, ok := st.SystemID, st.Linked, st.Transactable()
		m.TransactableSystems = append(m.TransactableSystems, &models.TransactableSystem{
			SystemID: id, LinkedAccount: &linked, Transactable: &ok, MissingRequirements: nonNil(st.Missing),
		})
	}
	return m
}

func vehicleModel(v *coord.Vehicle) *models.Vehicle {
	p := v.Plate
	return &models.Vehicle{LicensePlate: &models.LicensePlate{Text: p.Text, Country: p.Country, Subdivision: p.Subdivision}}
}
