// Package coord is the domain of the Coord Users API: partners act for their
// end users to start, watch and end parking sessions at the locations of
// mobility systems, once each system's requirements are met.
//
// The root package holds the domain types, the service interfaces the
// adapters implement (sqlite, postgres), the error codes and the billing
// rule. It imports no adapter; adapters import it.
package coord
