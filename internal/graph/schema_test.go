package graph

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// storefrontSchema is Shopify's Storefront introspection as shipped in npm
// @shopify/hydrogen-react@2026.4.4 (file storefront.schema.json). See
// testdata/README.md at the repository root to refresh it.
const storefrontSchema = "../../testdata/storefront.schema.json"

// builtinDirectives are GraphQL's own; only the rest must match Shopify's.
var builtinDirectives = []string{"include", "skip", "deprecated", "specifiedBy", "oneOf", "defer"}

// requiredSurface is SPEC §2: what must exist, "Type.field(arg: Type)" by
// "Type.field", so that removing any of it fails the test. Payload and
// input types are further required to have every field Shopify gives them.
var requiredSurface = map[string]map[string]string{
	"QueryRoot": {"customer": "Customer(customerAccessToken: String!)", "node": "Node(id: ID!)"},
	"Mutation": {
		"customerRecover":           "CustomerRecoverPayload(email: String!)",
		"customerReset":             "CustomerResetPayload(id: ID!, input: CustomerResetInput!)",
		"customerResetByUrl":        "CustomerResetByUrlPayload(password: String!, resetUrl: URL!)",
		"customerCreate":            "CustomerCreatePayload(input: CustomerCreateInput!)",
		"customerAccessTokenCreate": "CustomerAccessTokenCreatePayload(input: CustomerAccessTokenCreateInput!)",
		"customerAccessTokenRenew":  "CustomerAccessTokenRenewPayload(customerAccessToken: String!)",
		"customerAccessTokenDelete": "CustomerAccessTokenDeletePayload(customerAccessToken: String!)",
		"customerActivate":          "CustomerActivatePayload(id: ID!, input: CustomerActivateInput!)",
		"customerActivateByUrl":     "CustomerActivateByUrlPayload(activationUrl: URL!, password: String!)",
		"customerUpdate":            "CustomerUpdatePayload(customer: CustomerUpdateInput!, customerAccessToken: String!)",

		"customerAccessTokenCreateWithMultipass": "CustomerAccessTokenCreateWithMultipassPayload(multipassToken: String!)",

		"customerAddressCreate":        "CustomerAddressCreatePayload(address: MailingAddressInput!, customerAccessToken: String!)",
		"customerAddressUpdate":        "CustomerAddressUpdatePayload(address: MailingAddressInput!, customerAccessToken: String!, id: ID!)",
		"customerAddressDelete":        "CustomerAddressDeletePayload(customerAccessToken: String!, id: ID!)",
		"customerDefaultAddressUpdate": "CustomerDefaultAddressUpdatePayload(addressId: ID!, customerAccessToken: String!)",
	},
	"Customer": {
		"id": "ID!", "email": "String", "firstName": "String", "lastName": "String", "displayName": "String!",
		"phone": "String", "acceptsMarketing": "Boolean!", "tags": "[String!]!", "numberOfOrders": "UnsignedInt64!",
		"createdAt": "DateTime!", "updatedAt": "DateTime!", "avatarUrl": "String",
		"orders":         "OrderConnection!(after: String, before: String, first: Int, last: Int, query: String, reverse: Boolean, sortKey: OrderSortKeys)",
		"addresses":      "MailingAddressConnection!(after: String, before: String, first: Int, last: Int, reverse: Boolean)",
		"defaultAddress": "MailingAddress",
	},
	"MailingAddress": {
		"id": "ID!", "address1": "String", "address2": "String", "city": "String", "company": "String",
		"country": "String", "countryCode": "String", "countryCodeV2": "CountryCode", "firstName": "String",
		"lastName": "String", "name": "String", "phone": "String", "province": "String", "provinceCode": "String",
		"zip": "String", "formattedArea": "String", "latitude": "Float", "longitude": "Float",
		"formatted": "[String!]!(withCompany: Boolean, withName: Boolean)",
	},
	"MailingAddressConnection": {"edges": "[MailingAddressEdge!]!", "nodes": "[MailingAddress!]!", "pageInfo": "PageInfo!"},
	"MailingAddressEdge":       {"cursor": "String!", "node": "MailingAddress!"},
	"PageInfo": {
		"endCursor": "String", "hasNextPage": "Boolean!", "hasPreviousPage": "Boolean!", "startCursor": "String",
	},
	"CustomerAccessToken": {"accessToken": "String!", "expiresAt": "DateTime!"},
	"CustomerUserError":   {"code": "CustomerErrorCode", "field": "[String!]", "message": "String!"},
	"UserError":           {"field": "[String!]", "message": "String!"},
	"DisplayableError":    {"field": "[String!]", "message": "String!"},
}

// complete are types that must have all of Shopify's fields, input fields
// or enum values, not only a subset.
func complete(t introType) bool {
	switch {
	case t.Kind == "INPUT_OBJECT", t.Kind == "ENUM":
		return true
	case strings.HasSuffix(t.Name, "Payload"):
		return true
	}
	return slices.Contains([]string{"CustomerUserError", "UserError", "DisplayableError", "CustomerAccessToken"}, t.Name)
}

type introSchema struct {
	QueryType        *introNamed      `json:"queryType"`
	MutationType     *introNamed      `json:"mutationType"`
	SubscriptionType *introNamed      `json:"subscriptionType"`
	Types            []introType      `json:"types"`
	Directives       []introDirective `json:"directives"`
}

type introNamed struct {
	Name string `json:"name"`
}

type introType struct {
	Kind          string       `json:"kind"`
	Name          string       `json:"name"`
	Fields        []introField `json:"fields"`
	InputFields   []introValue `json:"inputFields"`
	Interfaces    []typeRef    `json:"interfaces"`
	EnumValues    []introEnum  `json:"enumValues"`
	PossibleTypes []typeRef    `json:"possibleTypes"`
}

type introField struct {
	Name              string       `json:"name"`
	Args              []introValue `json:"args"`
	Type              typeRef      `json:"type"`
	IsDeprecated      bool         `json:"isDeprecated"`
	DeprecationReason *string      `json:"deprecationReason"`
}

type introValue struct {
	Name              string  `json:"name"`
	Type              typeRef `json:"type"`
	DefaultValue      *string `json:"defaultValue"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

type introEnum struct {
	Name              string  `json:"name"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

type introDirective struct {
	Name         string       `json:"name"`
	IsRepeatable bool         `json:"isRepeatable"`
	Locations    []string     `json:"locations"`
	Args         []introValue `json:"args"`
}

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   *string  `json:"name"`
	OfType *typeRef `json:"ofType"`
}

// String renders a type reference in SDL, such as [String!]!.
func (r typeRef) String() string {
	switch r.Kind {
	case "NON_NULL":
		return r.OfType.String() + "!"
	case "LIST":
		return "[" + r.OfType.String() + "]"
	}
	if r.Name == nil {
		return "?"
	}
	return *r.Name
}

func deprecation(is bool, reason *string) string {
	if !is {
		return "not deprecated"
	}
	if reason == nil {
		return "deprecated"
	}
	return fmt.Sprintf("deprecated (%q)", *reason)
}

func defaultValue(v *string) string {
	if v == nil {
		return "none"
	}
	return *v
}

// schemaDiff collects differences, one readable line each.
type schemaDiff []string

func (d *schemaDiff) add(format string, args ...any) { *d = append(*d, fmt.Sprintf(format, args...)) }

func loadStorefront(t *testing.T) introSchema {
	t.Helper()
	raw, err := os.ReadFile(storefrontSchema)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema introSchema `json:"__schema"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Schema
}

func introspect(t *testing.T) introSchema {
	t.Helper()
	query, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newTestHandler(t)
	s := allScopes()
	status, body := postJSON(t, h, &s, string(query), nil)
	var resp struct {
		Data struct {
			Schema introSchema `json:"__schema"`
		} `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if status != 200 || resp.Errors != nil {
		t.Fatalf("introspection failed: %d %s", status, body)
	}
	return resp.Data.Schema
}

func TestSchemaMatchesStorefront(t *testing.T) {
	ours, shopify := introspect(t), loadStorefront(t)
	d := compareSchemas(ours, shopify)
	if len(d) > 0 {
		t.Errorf("storekeep's schema differs from Shopify's Storefront schema (@shopify/hydrogen-react@2026.4.4):\n  %s",
			strings.Join(d, "\n  "))
	}
}

func compareSchemas(ours, shopify introSchema) schemaDiff {
	var d schemaDiff
	roots := func(n *introNamed) string {
		if n == nil {
			return "none"
		}
		return n.Name
	}
	for _, r := range [][3]string{
		{"query", roots(ours.QueryType), roots(shopify.QueryType)},
		{"mutation", roots(ours.MutationType), roots(shopify.MutationType)},
		{"subscription", roots(ours.SubscriptionType), "none"},
	} {
		if r[1] != r[2] {
			d.add("schema: %s root is %s, Shopify's is %s", r[0], r[1], r[2])
		}
	}

	theirs := map[string]introType{}
	for _, t := range shopify.Types {
		theirs[t.Name] = t
	}
	mine := map[string]introType{}
	for _, o := range ours.Types {
		mine[o.Name] = o
	}
	for _, o := range ours.Types {
		if strings.HasPrefix(o.Name, "__") {
			continue
		}
		s, ok := theirs[o.Name]
		if !ok {
			d.add("%s: Shopify has no such type", o.Name)
			continue
		}
		if o.Kind != s.Kind {
			d.add("%s: kind %s, Shopify's is %s", o.Name, o.Kind, s.Kind)
			continue
		}
		compareType(&d, o, s, mine)
	}

	for typeName, fields := range requiredSurface {
		o, ok := mine[typeName]
		if !ok {
			d.add("%s: required by SPEC §2, missing", typeName)
			continue
		}
		for name, want := range fields {
			f, ok := findField(o, name)
			if !ok {
				d.add("%s.%s: required by SPEC §2, missing", typeName, name)
				continue
			}
			if got := signature(f, want); got != want {
				d.add("%s.%s: is %s, SPEC §2 requires %s", typeName, name, got, want)
			}
		}
	}
	for _, root := range []string{"QueryRoot", "Mutation"} {
		for _, f := range mine[root].Fields {
			if _, ok := requiredSurface[root][f.Name]; !ok {
				d.add("%s.%s: exposed but not part of storekeep's surface", root, f.Name)
			}
		}
	}
	if len(mine["Customer"].Interfaces) != 0 {
		d.add("Customer: implements %v; storekeep has none of HasMetafields' fields", mine["Customer"].Interfaces)
	}
	for _, name := range []string{"CustomerErrorCode", "CountryCode", "LanguageCode", "BuyerInput", "VisitorConsent", "URL", "DateTime", "UnsignedInt64"} {
		if _, ok := mine[name]; !ok {
			d.add("%s: required, missing", name)
		}
	}

	compareDirectives(&d, ours.Directives, shopify.Directives)
	sort.Strings(d)
	return d
}

// signature renders a field as its type, followed by its sorted arguments
// when the wanted form has them.
func signature(f introField, want string) string {
	s := f.Type.String()
	if !strings.Contains(want, "(") {
		return s
	}
	args := make([]string, 0, len(f.Args))
	for _, a := range f.Args {
		args = append(args, a.Name+": "+a.Type.String())
	}
	sort.Strings(args)
	return s + "(" + strings.Join(args, ", ") + ")"
}

func findField(t introType, name string) (introField, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return introField{}, false
}

func compareType(d *schemaDiff, o, s introType, exposed map[string]introType) {
	full := complete(s)
	theirFields := map[string]introField{}
	for _, f := range s.Fields {
		theirFields[f.Name] = f
	}
	ourFields := map[string]bool{}
	for _, f := range o.Fields {
		ourFields[f.Name] = true
		sf, ok := theirFields[f.Name]
		if !ok {
			d.add("%s.%s: Shopify has no such field", o.Name, f.Name)
			continue
		}
		where := o.Name + "." + f.Name
		if f.Type.String() != sf.Type.String() {
			d.add("%s: type %s, Shopify's is %s", where, f.Type, sf.Type)
		}
		if a, b := deprecation(f.IsDeprecated, f.DeprecationReason), deprecation(sf.IsDeprecated, sf.DeprecationReason); a != b {
			d.add("%s: %s, Shopify's is %s", where, a, b)
		}
		compareValues(d, where+" argument", f.Args, sf.Args, true)
	}
	if full {
		for _, f := range s.Fields {
			if !ourFields[f.Name] {
				d.add("%s.%s: Shopify has this field, storekeep does not", o.Name, f.Name)
			}
		}
	}
	compareValues(d, o.Name+" input field", o.InputFields, s.InputFields, full)

	theirValues := map[string]introEnum{}
	for _, v := range s.EnumValues {
		theirValues[v.Name] = v
	}
	ourValues := map[string]bool{}
	for _, v := range o.EnumValues {
		ourValues[v.Name] = true
		sv, ok := theirValues[v.Name]
		if !ok {
			d.add("%s.%s: Shopify has no such enum value", o.Name, v.Name)
			continue
		}
		if a, b := deprecation(v.IsDeprecated, v.DeprecationReason), deprecation(sv.IsDeprecated, sv.DeprecationReason); a != b {
			d.add("%s.%s: %s, Shopify's is %s", o.Name, v.Name, a, b)
		}
	}
	if full {
		for _, v := range s.EnumValues {
			if !ourValues[v.Name] {
				d.add("%s.%s: Shopify has this enum value, storekeep does not", o.Name, v.Name)
			}
		}
	}

	sameExposed(d, o.Name+" implements", o.Interfaces, s.Interfaces, exposed)
	sameExposed(d, o.Name+" possible type", o.PossibleTypes, s.PossibleTypes, exposed)
}

// compareValues compares arguments or input fields. Shopify's required
// ones (non-null without default) must always exist in ours; with full,
// every one of Shopify's must.
func compareValues(d *schemaDiff, what string, ours, theirs []introValue, full bool) {
	byName := map[string]introValue{}
	for _, v := range theirs {
		byName[v.Name] = v
	}
	have := map[string]bool{}
	for _, v := range ours {
		have[v.Name] = true
		sv, ok := byName[v.Name]
		if !ok {
			d.add("%s %s: Shopify has no such one", what, v.Name)
			continue
		}
		if v.Type.String() != sv.Type.String() {
			d.add("%s %s: type %s, Shopify's is %s", what, v.Name, v.Type, sv.Type)
		}
		if a, b := defaultValue(v.DefaultValue), defaultValue(sv.DefaultValue); a != b {
			d.add("%s %s: default %s, Shopify's is %s", what, v.Name, a, b)
		}
		if a, b := deprecation(v.IsDeprecated, v.DeprecationReason), deprecation(sv.IsDeprecated, sv.DeprecationReason); a != b {
			d.add("%s %s: %s, Shopify's is %s", what, v.Name, a, b)
		}
	}
	for _, sv := range theirs {
		required := sv.Type.Kind == "NON_NULL" && sv.DefaultValue == nil
		if !have[sv.Name] && (full || required) {
			d.add("%s %s: Shopify has it, storekeep does not", what, sv.Name)
		}
	}
}

// sameExposed requires ours to be theirs less the types storekeep does not
// expose: an interface, union member or possible type Shopify gives that
// storekeep serves must be there too, or a document valid against
// Shopify's schema (a fragment on Node) would not validate.
func sameExposed(d *schemaDiff, what string, ours, theirs []typeRef, exposed map[string]introType) {
	for _, o := range ours {
		if !slices.ContainsFunc(theirs, func(s typeRef) bool { return s.String() == o.String() }) {
			d.add("%s %s: not in Shopify's schema", what, o)
		}
	}
	for _, s := range theirs {
		if _, served := exposed[s.String()]; served && !slices.ContainsFunc(ours, func(o typeRef) bool { return o.String() == s.String() }) {
			d.add("%s %s: in Shopify's schema, not in storekeep's", what, s)
		}
	}
}

func compareDirectives(d *schemaDiff, ours, theirs []introDirective) {
	for _, o := range ours {
		if slices.Contains(builtinDirectives, o.Name) {
			continue
		}
		i := slices.IndexFunc(theirs, func(s introDirective) bool { return s.Name == o.Name })
		if i < 0 {
			d.add("@%s: Shopify has no such directive", o.Name)
			continue
		}
		s := theirs[i]
		if o.IsRepeatable != s.IsRepeatable {
			d.add("@%s: repeatable %v, Shopify's %v", o.Name, o.IsRepeatable, s.IsRepeatable)
		}
		a, b := slices.Sorted(slices.Values(o.Locations)), slices.Sorted(slices.Values(s.Locations))
		if !slices.Equal(a, b) {
			d.add("@%s: locations %v, Shopify's %v", o.Name, a, b)
		}
		compareValues(d, "@"+o.Name+" argument", o.Args, s.Args, true)
	}
}

func TestSchemaDiffReportsChanges(t *testing.T) {
	shopify := loadStorefront(t)
	ours := introspect(t)
	mutate := func(f func(*introSchema)) schemaDiff {
		raw, _ := json.Marshal(ours)
		var copyOf introSchema
		if err := json.Unmarshal(raw, &copyOf); err != nil {
			t.Fatal(err)
		}
		f(&copyOf)
		return compareSchemas(copyOf, shopify)
	}
	typeNamed := func(s *introSchema, name string) *introType {
		for i := range s.Types {
			if s.Types[i].Name == name {
				return &s.Types[i]
			}
		}
		t.Fatalf("no type %s", name)
		return nil
	}
	cases := map[string]func(*introSchema){
		"nullability": func(s *introSchema) {
			f := &typeNamed(s, "Customer").Fields[0]
			inner := f.Type
			f.Type = typeRef{Kind: "NON_NULL", OfType: &inner}
		},
		"removed field": func(s *introSchema) {
			c := typeNamed(s, "CustomerResetPayload")
			c.Fields = c.Fields[1:]
		},
		"lost deprecation": func(s *introSchema) {
			for i, f := range typeNamed(s, "CustomerRecoverPayload").Fields {
				if f.Name == "userErrors" {
					typeNamed(s, "CustomerRecoverPayload").Fields[i].IsDeprecated = false
				}
			}
		},
		"missing enum value": func(s *introSchema) {
			e := typeNamed(s, "CustomerErrorCode")
			e.EnumValues = e.EnumValues[1:]
		},
		"extra interface": func(s *introSchema) {
			name := "HasMetafields"
			typeNamed(s, "Customer").Interfaces = []typeRef{{Kind: "INTERFACE", Name: &name}}
		},
	}
	for name, change := range cases {
		if d := mutate(change); len(d) == 0 {
			t.Errorf("%s: not reported", name)
		}
	}
}

// A document that validates against Shopify's schema validates against
// storekeep's: a Node fragment on a line item's variant and product, as a
// client that reads ids through Node writes it.
func TestANodeFragmentOnAVariantAndItsProductValidates(t *testing.T) {
	h, _ := newTestHandler(t)
	s := allScopes()
	_, body := postJSON(t, h, &s, `query($t: String!) { customer(customerAccessToken: $t) { orders(first: 1) { nodes {
		lineItems(first: 1) { nodes { variant { ... on Node { id } product { ... on Node { id } } } } } } } } }`,
		map[string]any{"t": "x"})
	if strings.Contains(string(body), "GRAPHQL_VALIDATION_FAILED") {
		t.Errorf("a document Shopify's schema validates is refused: %s", body)
	}
}
