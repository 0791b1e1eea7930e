/// Keys for the asymmetric JWT algorithms, made with `openssl genpkey` for the tests only.
enum TestKeys {
    static let rsaPrivate = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCcZ50ecIiAVyLf
        Qh1RH8wqOsW/pAW/ZK3KzrMKtdaRCr55hVpGEwv8h8ZqgBOEaRyb7lmT17gDIfPs
        7ixpu6Wlz5x+djOd2zpGA8Bty6xZw1WO7OCZajTOlLf6DL4G/zp5zMIGpFlp4Cm8
        FMty6cdBpk6eD/1urKFPHkr7M8LngLRYoW+ISUW6xaqQCuv/ImYRrITzOgPCVs0l
        Q6bMF1hFBhymNAyO7HDCSAnXPj0mrX9kiz8MxKsyCEbckkW1VJa80FxQwmPEtHBO
        vSAzz/3+g+GTat6Q1HWRveaF1OtyoPno4Km7NMnJGnI7v0lGI30/6N9uwgDhkr0H
        z5715uudAgMBAAECggEARCQOO2tKxSNxcXREAoqIcCOP8PjcejC6WN/p+DIVy7Yz
        Gw2CsYHt2HUs+ExZdHg4+ySCSVuT82Vw+NohZmVW+2DyrNQBk/YlsshCp3MzYR4t
        oenIxn4TiKcZamrvxWugBd2z8KHcxLhhZmxm4OdCJPN4T/vmbbfvRWGMyFmaQjJN
        vui1+VAQUqT+Ayr3RQPkGnHb1NQTL6iA90lH02UUjRMUr0nKgtUT9HWVXG4MyNkG
        ap4Ui9/JHTeIlt3Ypq1lCMU8FbSOWkZO7GPIVD19gCdR2rXJkhmlPRL9slXHT3aw
        FJG6f6vpDczqJa69/J946k2ldJIU7Lzvgbr20v+JvwKBgQDLaPdQ9ByzFOpjipRq
        sc4PhbnJb3kmqP/1n5XfvmvLSMFWnIbCA5GIqMp0TrJIeIKBbW0ZnhxGzxt+hvpA
        iLiPLsQoPaWljGU28vun8yMTzkN2tvZIICJrLeLj3LAxWnFX/fohRukYpnumIDCe
        tVvLwJFDChVRYdhewjBaFzVvAwKBgQDE14YtEUsgpy5Be8J8zSRXozOhRQmXO/o4
        /QI/yF5lEni7vdkCyxa0Y1/BjAx3l8uOZFGGKWW8JkYEjzkVjghxmj92hrjqbroP
        d8ACxGnjQ/cBFdBR9ZmjAZ49xlPsHiX/iaF45jaWrMNn280uBVi7BEwvnK837SGz
        94iW1RZo3wKBgQCPQNZkifcoXAOSpQdPePeBURF9/ubYxk61YnW/xLDP0uZuo//3
        5WF6WD102fOPPGfU1Qbv8r1BVRys6EyYZHFuTWZSXNArHgwuPcPkDUTX7vzuP36F
        XzQ+PWu8RDFGIMcQTEr7YqBI/v64CZWUQG9suKrVBuXqkbk7SxGYcR3tlwKBgFSJ
        g1SDotJJOnJhJmvW5o7Exn2yWqYa2iHzdy3RbcjWoAdxR2wNsJiUPSGwdgI+rOtg
        ZirKSKj/fv6iTA/XygSQDEVpIq18FGhkM5B8rkUugTx0E92/LtZ08XLyZER5xjPy
        9egoZrVbSSinm3zySuM2u0mPbykDrH/QBVdR+KfdAoGAIbG6kOfkZHxehkk8uoi6
        D+Gg9+AB0nXLZJFAHhZan7C/qrMh6Nmy1PP/rV4wpeA2AaeU466hx70i8BBuWmdf
        Hl3W9OuB7RQ16AtlTEoM+x02n0Iih+crsJfc2ay/5sLF/SCuOhgtDfnO+LJzArZa
        cbfT9tMkoQ/udLOwno07Yus=
        -----END PRIVATE KEY-----
        """

    static let rsaPublic = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnGedHnCIgFci30IdUR/M
        KjrFv6QFv2Stys6zCrXWkQq+eYVaRhML/IfGaoAThGkcm+5Zk9e4AyHz7O4sabul
        pc+cfnYznds6RgPAbcusWcNVjuzgmWo0zpS3+gy+Bv86eczCBqRZaeApvBTLcunH
        QaZOng/9bqyhTx5K+zPC54C0WKFviElFusWqkArr/yJmEayE8zoDwlbNJUOmzBdY
        RQYcpjQMjuxwwkgJ1z49Jq1/ZIs/DMSrMghG3JJFtVSWvNBcUMJjxLRwTr0gM8/9
        /oPhk2rekNR1kb3mhdTrcqD56OCpuzTJyRpyO79JRiN9P+jfbsIA4ZK9B8+e9ebr
        nQIDAQAB
        -----END PUBLIC KEY-----
        """

    static let ecPrivate = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgIIbxzUuIzpYLYh5j
        gARxOCEeQ9bgWtmuzjDrm3MpbOGhRANCAARPcctlMVemfXH/yuJJRo+MZ+R2NPmb
        eOM3SGAD2bicpX1rg2oyzrRRu/Gk6Kc4sCifEgiVxSWhnXGsiemfhg/O
        -----END PRIVATE KEY-----
        """

    static let ecPublic = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAET3HLZTFXpn1x/8riSUaPjGfkdjT5
        m3jjN0hgA9m4nKV9a4NqMs60UbvxpOinOLAonxIIlcUloZ1xrInpn4YPzg==
        -----END PUBLIC KEY-----
        """

    static let edPrivate = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEINHJpJWf68PGdns7MxSq73tM6nW4r0QnUjw8SH1qvup8
        -----END PRIVATE KEY-----
        """

    static let edPublic = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAKfbwFUsJNljXJaD/725V2hlA046rW1nhgDBdMxitEyI=
        -----END PUBLIC KEY-----
        """
}
