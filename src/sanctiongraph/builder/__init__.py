"""Reading and building: annotated sources to one RDF dataset, checked and written out.

The annotated sources and the entity registry are read (`inputs`: only regular files inside the sources, capped) from YAML into typed records
(`sources`, `yamlfile`), their times parsed (`times`) and their quotes located in the text
(`source_text`), all validated against the ontology as a schema (`ontology`). `dataset` mints
the IRIs and quads, a named graph per source with its provenance and evidence; `checks` runs
the must-return-nothing SPARQL checks on the loaded store; `exports` writes TriG, N-Quads,
Turtle, N-Triples, JSON-LD and VoID. `dataset.build` does all of it and publishes the result as one build folder behind one link (`builds`).
"""
