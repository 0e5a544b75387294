"""`nox -s bench`: how fast the stub, the samples and the whole suite are, against targets, in one run."""
