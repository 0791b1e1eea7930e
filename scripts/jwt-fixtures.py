#!/usr/bin/env python3
"""Writes Tests/RestAuthTests/Support/PyJWTFixtures.swift: a key pair of every type
simplejwt's algorithms sign with (and an RSA key too short for them), the public
keys as JWKs, and for every algorithm an access token PyJWT signed (as simplejwt's
TokenBackend.encode calls it), valid until 2126.

Needs PyJWT and cryptography (the reference's venv has both):

    /work/ci-check/.build/ref-venv/bin/python scripts/jwt-fixtures.py \
        > Tests/RestAuthTests/Support/PyJWTFixtures.swift
"""
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

# testConfiguration()'s SECRET_KEY: simplejwt's default SIGNING_KEY.
SECRET = "test-secret-key-0123456789"
CLAIMS = {"token_type": "access", "exp": 4949558046, "iat": 1795958046,
          "jti": "5d2ec63229394713b05bd833346c2595", "user_id": "7"}


def pem(key):
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


KEYS = {
    "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "rsa1024": rsa.generate_private_key(public_exponent=65537, key_size=1024),
    "p256": ec.generate_private_key(ec.SECP256R1()),
    "p384": ec.generate_private_key(ec.SECP384R1()),
    "p521": ec.generate_private_key(ec.SECP521R1()),
    "ed25519": ed25519.Ed25519PrivateKey.generate(),
}
KEY_OF = {"RS": "rsa", "PS": "rsa", "ES256": "p256", "ES384": "p384", "ES512": "p521", "ES521": "p521",
          "EdDSA": "ed25519"}
ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
              "ES256", "ES384", "ES512", "ES521", "EdDSA"]


def swift_string(text):
    lines = text.rstrip("\n").split("\n")
    return '"""\n' + "".join(f"        {line}\n" for line in lines) + '        """'


def main():
    out = ["// Written by scripts/jwt-fixtures.py with PyJWT " + jwt.__version__ + "; do not edit.", "",
           "/// Key pairs of every type, and access tokens PyJWT signed with each algorithm",
           "/// (`user_id` \"7\", valid until 2126; HS with `testConfiguration()`'s SECRET_KEY).",
           "enum PyJWTFixtures {"]
    for name, key in KEYS.items():
        private, public = pem(key)
        out.append(f"    static let {name}Private = {swift_string(private)}")
        out.append("")
        out.append(f"    static let {name}Public = {swift_string(public)}")
        out.append("")
    out.append("    /// The public keys as JWKs (RFC 7517), without `kid`, `use` or `alg`.")
    for name, key in KEYS.items():
        if name == "rsa1024":
            continue
        if name.startswith("rsa"):
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())
        elif name.startswith("p"):
            jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())
        else:
            jwk = jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key())
        out.append(f"    static let {name}JWK =")
        out.append(f"        #\"{jwk}\"#")
    out.append("")
    out.append("    /// The key pair each algorithm signs with here.")
    out.append("    static func keys(for algorithm: String) -> (private: String, public: String)? {")
    out.append("        switch algorithm {")
    for alg in ALGORITHMS[3:]:
        name = KEY_OF.get(alg) or KEY_OF[alg[:2]]
        out.append(f'        case "{alg}": ({name}Private, {name}Public)')
    out.append("        default: nil")
    out.append("        }")
    out.append("    }")
    out.append("")
    out.append("    /// An access token PyJWT signed with each algorithm.")
    out.append("    static let tokens: [String: String] = [")
    for alg in ALGORITHMS:
        if alg.startswith("HS"):
            key = SECRET
        else:
            key = KEYS[KEY_OF.get(alg) or KEY_OF[alg[:2]]]
        token = jwt.encode(CLAIMS, key, algorithm=alg)
        out.append(f'        "{alg}":')
        out.append(f'            "{token}",')
    out.append("    ]")
    out.append("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
