"""interop: a working implementation of IDENT/IAFIS biometric interoperability."""

__version__ = "0.1.0"
