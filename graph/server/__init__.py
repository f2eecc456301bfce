"""The server wing: the web app, the SPARQL endpoint, its protocol, workers and pages."""
