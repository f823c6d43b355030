package graph

//go:generate go run ./schema/gen -schema ../../testdata/storefront.schema.json -out schema/enums.graphqls
//go:generate go run github.com/99designs/gqlgen generate --config gqlgen.yml
