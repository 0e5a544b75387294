"""HTTPS on loopback: a certificate authority made at start (by `trustme`), a server certificate it signs for the
stub's host, the files Hypercorn serves them from, and what each SDK reads to trust the authority.

Over TLS the server offers HTTP/2 and HTTP/1.1 by ALPN (Hypercorn's `alpn_protocols`), so the JavaScript SDK
negotiates HTTP/2 as it does with Bedrock and boto3 keeps HTTP/1.1. botocore sends a Bedrock API key only to an
`https` endpoint (`botocore.auth.BearerAuth`), which is why API-key users need this.

Which variable each SDK reads for extra trusted authorities: botocore/boto3 `AWS_CA_BUNDLE` (botocore's
`ca_bundle` config); Node.js, hence the JavaScript SDK, `NODE_EXTRA_CA_CERTS` (read at process start); OpenSSL-based
clients (httpx, Go's crypto/x509 on Linux, PHP's curl, the Rust SDK's rustls-native-certs) `SSL_CERT_FILE`; the
AWS SDK for .NET and the JVM read the system or a Java trust store (`-Djavax.net.ssl.trustStore=...`, made from
the CA with `keytool -importcert`).
"""

from __future__ import annotations

import ipaddress
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "HTTPS needs the `trustme` package: pip install 'bedrock-stub[tls]'"


@dataclass(frozen=True)
class TlsFiles:
    """The files of one stub's TLS: its CA (to trust), and the server's key and certificate chain (to serve)."""

    directory: Path
    ca_file: Path
    cert_file: Path
    key_file: Path

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def make_tls_files(host: str, ca_file: Path | None = None) -> TlsFiles:
    """A fresh CA and a certificate for `host` (and the other loopback names) in a private temporary directory;
    the CA is also written to `ca_file` when given."""
    try:
        import trustme
    except ImportError as exc:
        raise RuntimeError(INSTALL_HINT) from exc
    names = {"localhost", "127.0.0.1", "::1", host}
    authority = trustme.CA(organization_name="bedrock-stub")
    server = authority.issue_cert(*sorted(names, key=_ip_last))
    directory = Path(tempfile.mkdtemp(prefix="bedrock-stub-tls-"))
    files = TlsFiles(directory, directory / "ca.pem", directory / "server.pem", directory / "server.key")
    authority.cert_pem.write_to_path(str(files.ca_file))
    server.private_key_pem.write_to_path(str(files.key_file))
    server.cert_chain_pems[0].write_to_path(str(files.cert_file))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(files.cert_file), append=True)
    if ca_file is not None:
        ca_file.write_bytes(files.ca_file.read_bytes())
        files = TlsFiles(directory, ca_file, files.cert_file, files.key_file)
    return files


def _ip_last(name: str) -> tuple[bool, str]:
    # trustme takes names and addresses alike; order only makes the certificate reproducible in shape.
    try:
        ipaddress.ip_address(name)
        return (True, name)
    except ValueError:
        return (False, name)


def trust_hints(ca_file: Path) -> list[str]:
    """Lines telling each SDK to trust the stub's CA."""
    return [
        f"export AWS_CA_BUNDLE={ca_file}          # boto3, the AWS CLI",
        f"export NODE_EXTRA_CA_CERTS={ca_file}    # Node.js: the JavaScript SDK",
        f"export SSL_CERT_FILE={ca_file}          # OpenSSL-based clients: httpx, Go, PHP, Rust",
        f"keytool -importcert -noprompt -alias bedrock-stub -file {ca_file} -keystore stub-truststore.p12 "
        "-storepass changeit   # then java -Djavax.net.ssl.trustStore=stub-truststore.p12 "
        "-Djavax.net.ssl.trustStorePassword=changeit",
    ]
