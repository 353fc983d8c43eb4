"""Asking: the named-query library and running queries on the built store or any SPARQL endpoint.

`library` reads the `.rq` files (title, description, typed parameters); `running` binds the
parameters as a VALUES block of RDF terms and runs a query on the embedded Oxigraph store
(`store`, opened read-only from the build's folder) or on a SPARQL 1.1 endpoint through
SPARQLWrapper, with a time limit; `results` writes what comes back as a table for people or as
SPARQL results and RDF for programs, and `output` sends it to standard output or a file.
`slots` binds rows of nodes into a query's UNDEF VALUES blocks, and `facts` reads what views, paths and exports
show of given nodes (names, classes, provenance) with the lookup queries in `lookups/`.
"""
