"""The graph's content for other tools: FollowTheMoney entities for the OpenSanctions ecosystem (`ftm`), and every
evidence quote as a W3C Web Annotation (`web_annotation`), which `evidence_import` reads back into a source's
annotation file as draft statements."""
