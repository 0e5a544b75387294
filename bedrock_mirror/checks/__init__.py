"""Static checks for samples whose own toolchain may be missing here."""
