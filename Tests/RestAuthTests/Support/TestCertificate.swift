/// A self-signed certificate for `localhost` and 127.0.0.1 (P-256, valid until 2126), made
/// with `openssl req -x509 -newkey ec ...` for the test SMTP server's STARTTLS and TLS.
enum TestCertificate {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBmjCCAUGgAwIBAgIUSQL9eKalBjBhEUnEmHMzCeyVyWEwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyOTEyMjMzOVoYDzIxMjYxMTA1
        MTIyMzM5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAASkm/bmExa17jIX0hddPnm5wVOZCGVVl8JeqHXzSYk1fKuq+qP8qgXB
        ePAjyNWr2QQil3HFNeUXs/zN1qxmGYmXo28wbTAdBgNVHQ4EFgQUbQOFl7aqr+77
        McMxYOr73uFKG00wHwYDVR0jBBgwFoAUbQOFl7aqr+77McMxYOr73uFKG00wDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
        zj0EAwIDRwAwRAIgJNMiuffqi4c6PqGuAzPrFKFgRw+yHfVFPCy/1o2EXZECIDze
        CT+8lK4+Fi6mIJ1kG40ChzwEx3TyPTTyEdRyDprg
        -----END CERTIFICATE-----
        """

    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtgYMb/2FrDmyYJCb
        wPYw+qAVYKU82aViYIzB1JA40TahRANCAASkm/bmExa17jIX0hddPnm5wVOZCGVV
        l8JeqHXzSYk1fKuq+qP8qgXBePAjyNWr2QQil3HFNeUXs/zN1qxmGYmX
        -----END PRIVATE KEY-----
        """
}
