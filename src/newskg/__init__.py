"""newskg: hedged, attributed news reports as an RDF knowledge graph."""

__version__ = "0.1.0"
