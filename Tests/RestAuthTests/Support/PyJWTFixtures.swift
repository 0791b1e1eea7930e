// Written by scripts/jwt-fixtures.py with PyJWT 2.15.1; do not edit.

/// Key pairs of every type, and access tokens PyJWT signed with each algorithm
/// (`user_id` "7", valid until 2126; HS with `testConfiguration()`'s SECRET_KEY).
enum PyJWTFixtures {
    static let rsaPrivate = """
        -----BEGIN PRIVATE KEY-----
        MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC7kQ0ZnhV1ckEr
        WNCbVe7yjuaUpB+f8bWO6oody8HvJg8sXCmQ9paIWOFbTsJFAdU+9/VfBJxRl/e/
        fmmzJqoEDH6N3+Nm763P65agW844c28h42cLnwXJ8dYV3xPFYiHehGtLrg9YV03P
        cRLszkj+0z1Huw0Eg2FI2B3qNAJ3aBk/x3NSUnH8swzNe6T72zBZkBhAsJ/S6eAO
        jnyLBhi5EKvT/Y2w0rc6cxxP9UrgSdEiNEl/xNhfqJE8RWHq5hRa7xnbJX1TTw5M
        UmarGrTVdjE+wv0Bzu5ab+EXQIAfPJ3RYan9X4UGW7bjm0Vw+MQ2mh9maQp7Cnn/
        Dv6NFh97AgMBAAECggEANP0I8ORGlqvk+kx4fnG78/1n6bUmFAbybkIXK8y86IVd
        gwA0Y/Yt164YWDW7T0hxyHy/boz8Zlai0I/zZ3+0RzmKZSVLdnCer18UahAVhcAi
        tLWsDk3qEj+GZh5j1P7gp57MOxCc2C2t1z1QBeNPHuJpbQLMbip5iN05MkloKvgb
        C/ZK7yZnc9mCQxr87yTNBKxoCW5rAEXlSmKCe6ygpWs+5fyiuscxlHppgbOHpJud
        BfXvgXSMN3NXs/dNeCI1KmwZRqyv9yIgRsCAZuDIMKY7Nw0Hy0auQ9Ol/i9yyp+i
        VtJjW/9oCWarKBCUisnXAoXrHP6fTEuN0p7Di8gLVQKBgQDrgN+1GphaMSBj+HxN
        t8hX63LHPvU5L+PPjYRh5z86OJju2/8hYv8hvw8Fq4umSnBm70bAm30l0VahjuMI
        dXkFu1Yr4kCDiszjQlaa/aBV51B2TKJs5Etiwj/ET85TPufokdBMIv/ETGZtJU9X
        AtioC5XBR1iC3kMn7MYVvtiJ7QKBgQDL5B9yUK4TbCAp2aWRi35lgeNfGUXrtk6O
        /VVIhaj8DKsILW9KNTOg0x3R4QXXfpTxFI6z5SvR41BWTAj8hz8eo+TYD0DR02AO
        44+4vkSzS/GlVI7nkRugviay35wHqrX3tx6u1t9D1GuSAcaoiVhzcGUgi0O2lz4w
        jy0Nd6CCBwKBgBSooHctlxHKX3IFmTnkFlIIGHB8CFz044IQgv1noLdFwbyqVc4i
        9giKzxGLQ9vZidStxsIcobTQkU3oz+etDmm/TkbZORmQ8no5FonQF+GRQhCulk0B
        Fc/bBGb/LTVGPme7as9S/qbEoPOQI06ZtFHBemiTDqOkRbXZ4mKD9FDdAoGBAKMK
        5has67b+VO4CbILpsIaNinvGowItw75WWLdooswDeVVNt9v4lTN6/zKRJfG/+Gyc
        Ss0Saqspglmv7dO6d0ASQXKBKA1iYUMmuAw8ooVaKn9SEgCdKiGtTRbm90euPFs9
        pRydGOaN3ANixjCJvCB79XJDyz8czI9aPuWxDrpLAoGBAM6///nWPGdBBf1IKgFN
        5OkcH6s2ee6Pel6FimaPSQKBmPcp2aGHn7LBpF56axAQlgW1Z/e9VJQzdFS9iB11
        DtWKsvpxuX1zR74fyAG7bq0HvrG/EXwt8/kj5496VAjZI3UpkzylzqlrfpEf+onC
        zcbEUmh/GNL5clhWmczAkHw/
        -----END PRIVATE KEY-----
        """

    static let rsaPublic = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu5ENGZ4VdXJBK1jQm1Xu
        8o7mlKQfn/G1juqKHcvB7yYPLFwpkPaWiFjhW07CRQHVPvf1XwScUZf3v35psyaq
        BAx+jd/jZu+tz+uWoFvOOHNvIeNnC58FyfHWFd8TxWIh3oRrS64PWFdNz3ES7M5I
        /tM9R7sNBINhSNgd6jQCd2gZP8dzUlJx/LMMzXuk+9swWZAYQLCf0ungDo58iwYY
        uRCr0/2NsNK3OnMcT/VK4EnRIjRJf8TYX6iRPEVh6uYUWu8Z2yV9U08OTFJmqxq0
        1XYxPsL9Ac7uWm/hF0CAHzyd0WGp/V+FBlu245tFcPjENpofZmkKewp5/w7+jRYf
        ewIDAQAB
        -----END PUBLIC KEY-----
        """

    static let rsa1024Private = """
        -----BEGIN PRIVATE KEY-----
        MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAOkniHN6urxXPatC
        QE5cONWsDUNs7MK/C36MoHJADQ09X6oPCmVkmAI6fhhqiHQu/OBtl+Stxzv2jaRe
        nPjEgewhUERaej42y8SP/h8XhkqvaVVGjxIU0w/BojzZ7jnOmjwo4bUzV1j5V3wu
        V0Ll+ah2DFB20Crp1V8GQJyhbeOdAgMBAAECgYEA569lJHu8vBNlMJ1xEW0K/Skv
        NOU0kIEPhv1vIpkLXzCxs2emyQKhGvXM/649Ulau6sV8vr0A0lE6hy+NhJahEoKD
        HNSTBTP25HDvYtx7WqvzWLIhZi+3mpXCcDu4uu0Y0N8arXFn/TMy2ZhDcsg2mfuN
        OvfOUTPMfEikzt/T8gECQQD6oOyu34OvB4vIAL/rMuayswh0qV2vRnsi+oOZ2uxU
        1x0Z4+igmKoNI/fzrVi7ZCTaTOP+DipKQCPUZHnor1k9AkEA7ia8eidK+T7BlFJk
        NI5r1goK8mftqJaukxALJbfrwqy5CuOl8HwdLnYamY2VhrRjGUY65/OrjIzpuZ2G
        cJeZ4QJBAJbpa1rpD3vHCW4GtYlD/xG/J+pHSTgPMnofajqsTf3QAZ/jUeHRyyNa
        cyTxTiqX5HDmN6p0kRZghLKRRa7MVukCQQDGo/jBytR2YSoGFVMPo1u/BFFtL9LD
        tCuY7uDdbTNxBbCyrH9Uv7F3d3toaPg3i269Ph8UKeMFMOQitonUkB8BAkA/wo+P
        JW0VD44C4AQ2DOPwpuyT9WLxx0laYRRP4Z7YSqIoaXOeeUvj3XYcUlVzR5dK/7gl
        faSMZ5ia0WRcxBC+
        -----END PRIVATE KEY-----
        """

    static let rsa1024Public = """
        -----BEGIN PUBLIC KEY-----
        MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDpJ4hzerq8Vz2rQkBOXDjVrA1D
        bOzCvwt+jKByQA0NPV+qDwplZJgCOn4Yaoh0LvzgbZfkrcc79o2kXpz4xIHsIVBE
        Wno+NsvEj/4fF4ZKr2lVRo8SFNMPwaI82e45zpo8KOG1M1dY+Vd8LldC5fmodgxQ
        dtAq6dVfBkCcoW3jnQIDAQAB
        -----END PUBLIC KEY-----
        """

    static let p256Private = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgaibSpWQ46R0kMJAx
        enzetrZ41+dEO4BJeGJ/Q+qurDihRANCAAQhE/0ZcScFuMDuks53mKB4NtpMi3nA
        CDCvGB8dvHiSQM5zbM3fVtrhbcd3/fcHlffilQys/xw0Ir8S25PwvC79
        -----END PRIVATE KEY-----
        """

    static let p256Public = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIRP9GXEnBbjA7pLOd5igeDbaTIt5
        wAgwrxgfHbx4kkDOc2zN31ba4W3Hd/33B5X34pUMrP8cNCK/EtuT8Lwu/Q==
        -----END PUBLIC KEY-----
        """

    static let p384Private = """
        -----BEGIN PRIVATE KEY-----
        MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCYOftlFxHejzdJuHPG
        4gbKHfMPu3hDxTbJaE6nIU3A84faEsG9ZvdW5FAJSTcIeaahZANiAAR/rWy+LSMC
        OtYliPA8ryvzE3nKrtwxBFOOohSAfy40kfVLcOaRCArl/VjOw8naOdoPS6aHuB+4
        cFrgDsYNtYdlOZubJfntbWan4+2c5RlhP/5tdzB/wBYoqC0aoSASlAo=
        -----END PRIVATE KEY-----
        """

    static let p384Public = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEf61svi0jAjrWJYjwPK8r8xN5yq7cMQRT
        jqIUgH8uNJH1S3DmkQgK5f1YzsPJ2jnaD0umh7gfuHBa4A7GDbWHZTmbmyX57W1m
        p+PtnOUZYT/+bXcwf8AWKKgtGqEgEpQK
        -----END PUBLIC KEY-----
        """

    static let p521Private = """
        -----BEGIN PRIVATE KEY-----
        MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIAetwotVq/191XAwsr
        rQrAvQi73O8SOygux9tyzj+s7w4gDgl12HHcQUI5obSRL+jUWusa/iqj2ugFNNW6
        3RCbyvChgYkDgYYABAER/tyh6s+M7pxGkXU1FXmMSa3NHrj9D224WgbKZNxfNTFz
        wwzLxsOaj8/mE8Ts6PFuT8hNQOjX9vsfB2u5EKaDHAEFJ4VfiCed+34NfQMJCR/v
        p86F4btVs89/wAsJxtNh3bTRMzqQ1aeTxDZM7QjKotJkEQ+/hGKb9awlAxF3Y7IP
        3Q==
        -----END PRIVATE KEY-----
        """

    static let p521Public = """
        -----BEGIN PUBLIC KEY-----
        MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQBEf7coerPjO6cRpF1NRV5jEmtzR64
        /Q9tuFoGymTcXzUxc8MMy8bDmo/P5hPE7Ojxbk/ITUDo1/b7HwdruRCmgxwBBSeF
        X4gnnft+DX0DCQkf76fOheG7VbPPf8ALCcbTYd200TM6kNWnk8Q2TO0IyqLSZBEP
        v4Rim/WsJQMRd2OyD90=
        -----END PUBLIC KEY-----
        """

    static let ed25519Private = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIAlo4H2G7/MzLWmKZi740HfzZW8kDEc+tRd0lFSwDiNq
        -----END PRIVATE KEY-----
        """

    static let ed25519Public = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAtjeLKfzfBjppStzZ6jVWuUSUbpwE1Z/Ai4AMQr2KspM=
        -----END PUBLIC KEY-----
        """

    /// The public keys as JWKs (RFC 7517), without `kid`, `use` or `alg`.
    static let rsaJWK =
        #"{"kty": "RSA", "key_ops": ["verify"], "n": "u5ENGZ4VdXJBK1jQm1Xu8o7mlKQfn_G1juqKHcvB7yYPLFwpkPaWiFjhW07CRQHVPvf1XwScUZf3v35psyaqBAx-jd_jZu-tz-uWoFvOOHNvIeNnC58FyfHWFd8TxWIh3oRrS64PWFdNz3ES7M5I_tM9R7sNBINhSNgd6jQCd2gZP8dzUlJx_LMMzXuk-9swWZAYQLCf0ungDo58iwYYuRCr0_2NsNK3OnMcT_VK4EnRIjRJf8TYX6iRPEVh6uYUWu8Z2yV9U08OTFJmqxq01XYxPsL9Ac7uWm_hF0CAHzyd0WGp_V-FBlu245tFcPjENpofZmkKewp5_w7-jRYfew", "e": "AQAB"}"#
    static let p256JWK =
        #"{"kty": "EC", "crv": "P-256", "x": "IRP9GXEnBbjA7pLOd5igeDbaTIt5wAgwrxgfHbx4kkA", "y": "znNszd9W2uFtx3f99weV9-KVDKz_HDQivxLbk_C8Lv0"}"#
    static let p384JWK =
        #"{"kty": "EC", "crv": "P-384", "x": "f61svi0jAjrWJYjwPK8r8xN5yq7cMQRTjqIUgH8uNJH1S3DmkQgK5f1YzsPJ2jna", "y": "D0umh7gfuHBa4A7GDbWHZTmbmyX57W1mp-PtnOUZYT_-bXcwf8AWKKgtGqEgEpQK"}"#
    static let p521JWK =
        #"{"kty": "EC", "crv": "P-521", "x": "ARH-3KHqz4zunEaRdTUVeYxJrc0euP0PbbhaBspk3F81MXPDDMvGw5qPz-YTxOzo8W5PyE1A6Nf2-x8Ha7kQpoMc", "y": "AQUnhV-IJ537fg19AwkJH--nzoXhu1Wzz3_ACwnG02HdtNEzOpDVp5PENkztCMqi0mQRD7-EYpv1rCUDEXdjsg_d"}"#
    static let ed25519JWK =
        #"{"x": "tjeLKfzfBjppStzZ6jVWuUSUbpwE1Z_Ai4AMQr2KspM", "kty": "OKP", "crv": "Ed25519"}"#

    /// The key pair each algorithm signs with here.
    static func keys(for algorithm: String) -> (private: String, public: String)? {
        switch algorithm {
        case "RS256": (rsaPrivate, rsaPublic)
        case "RS384": (rsaPrivate, rsaPublic)
        case "RS512": (rsaPrivate, rsaPublic)
        case "PS256": (rsaPrivate, rsaPublic)
        case "PS384": (rsaPrivate, rsaPublic)
        case "PS512": (rsaPrivate, rsaPublic)
        case "ES256": (p256Private, p256Public)
        case "ES384": (p384Private, p384Public)
        case "ES512": (p521Private, p521Public)
        case "ES521": (p521Private, p521Public)
        case "EdDSA": (ed25519Private, ed25519Public)
        default: nil
        }
    }

    /// An access token PyJWT signed with each algorithm.
    static let tokens: [String: String] = [
        "HS256":
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.9J6opmOK13UDzaPWQTmHadBfDIjIjFYAqk20JjAakdg",
        "HS384":
            "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.GA3Azl8DZTK4_Vnp51y66kf3Cg3FvHVwfzyfwHPSJorrfGZ2ImtcTKXj0WNNx2iO",
        "HS512":
            "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.-LcAasvZ4D9w-VcoxhKXNnGkIXUAu14o4g-XwnX9rgiro6oQg6l5W-0L91PZBM2TmFOglVhOGDf1kUeW6K2rag",
        "RS256":
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.H7uN_gaPPVdKTBAPTEo47PxS3_InlKU0C73EY_du-pfBXFxv354BKlZUm9TEUBtkJExUGE8S6ghPJtXo6lnJT_gxZA-UH8h_IQ51ioX6D83S96pbBXB5rS8cxbjfIxKcPMVqKO6_nDbSgZ7JVs7u5iSpYMdFt_Y0uFcMQc4vl4mQhgY5ErKqNCTNRNkmd5dShqjV_oj_DMQqE1F8WcZZbhQU1M-PMVqD4Xd-K2UcuqpDUYjkR46ik1OV-id2QHg95PH0N4hHJ2psexaSgoQdAGdTejuNLyVLbPtKbbNY9buUKiBxRRtH5-FO45MuP0yVeKKLqgOqSVa6sJ1OrruX6g",
        "RS384":
            "eyJhbGciOiJSUzM4NCIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.n9Sb_iHX9g2ht9q9T1MHH98us8TU7sgEmG9rGQT_2Yxqz7gvPYywvRRSR9w0oXy_RIXta7CiWubASz983owsvebe8Z8jf7I7Qh5PnQvOoSSU5nBXsNzWGWKO9Hxu8LMdyzhFph4YQxF48SlZtNwispIMH_DeNsBzlg1LdO_-11sDuPQDTrFN4tG3-0trylHBocUnRS3KwLry-PXJ7O2xuvuL8FXxSVDJVcl37zCR1wEACvZ1q8NE7I0BmMISNhU5B4CPF1ugY7Mj5H5ZWXgfL2ax16T5avPuiBwB9PhqDCPQk35jIbOeBJu7UFRNYhEgKxFyKgvEHE-mFmUtSCC7sg",
        "RS512":
            "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.Jy1Xfx9d38GwARRlJ7huMDd7tvsJ3NOuQD4ITg9MawiBXrdxDMOFZRN1fGCblgKaGXBO0b2jgSDOhX9dCLoCYuRbtSkCblG6TDYL-eJWpsrghDG53JduWjK6nwdW43-Xplaq--JlzvUDJUTVYD0f8d7yTY1S_vxz2v9vitEf-R4Dg7BeTvEYdTzMbg4jb0h3RLGOdXIUM5uKeKhiCsMa0pZWJcOOxUfQu5-P61uY_bJ8XBx-honLpZkXfUiXI-mu6Z91Pu-N24LDNtIokXGFa1uai1yHfdDRtARYEWHUOBrNyBQjK80HL2c_3ftIPximuANi9kgf1UeX9UmkzvdEOA",
        "PS256":
            "eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.XsC3AtkLJ6-ifI1cSVNlSZvKN6hxmW6GofQefSFOyeeGrxKRkRqaPZobz_bMtTwzMc9CXxwRXekU6wcqlUdiNAluCJKz15a6uL9Rekn3OJ1ts5uw3JvHBMQ0URQcWCgXKW39ZJX2W3zYX-ZcAvKrnFTJqTm0vc6qEMnaTPL9WdxoeUpIYSTt_dM6Nd1nzePwZEmRSpsCTlmtGSRwtkAhzT2ev_tGy43wDa16XWTxxK_A3oGgy8WyCvh6KAEBGa44a5mh6M5HkOywlslu6HGqCxIq5PSQ37oXKjcjxD5EwuckxJ5_y-TxtF-wW8BzltIkQMocYWPsDVH2l94Ft5awGg",
        "PS384":
            "eyJhbGciOiJQUzM4NCIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.KaZ7vDPpDhU7GSa-RXziW2H3Q2DOcoP3NuQUohvFsqwjeSobW0_MkDABJ-Gx_olssc1gAKC_8jY3956zfbkzQGij-fNbxTm9p_Prkfsta8byTAy8ORkPfhvure0z2xwLQX8uoei2mEPBypy_vfK5k1TfP_w4FvF5D7EqJnTs23hI5YSJPqh6nSk1nUwe58uozjxOKzmAsRD1dCgTtqAYOsbzR_kL9HUMdKSoK_uVJ2H1c6IB_MXdAjHMjJvNdGinyEYHDnWTe4P6DKtxI3Z_aRvhLBFaCXdH1wIkAYyDjciT4AVFKmBCy9YlhxEyAQmwuEGU6eX1vkMh8H7zTrxAUw",
        "PS512":
            "eyJhbGciOiJQUzUxMiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.lLRYm0NQYVLQsH5j0VeoyA2XojT5aDEOQ0apJxORb75UefrjNqIwHMwE5yf_DOgysg9l40Vl8C3jFxjMrCpOtdZsKI39hm-qBOzwM3YRHrS8sokJKTZ1U97btCWA9sCBfbFGH-t7C74vr5AaGYC-CFeBOb1vxLTzJZQqs5AHYss-F7ykt42EJVDIL99lOtVIudJg7KYugHkT8KB63drboO_pA3QC1DyPRTkhQDAsN8Fi1n0a_x0UCI-j8P0lRIv_xOAjTjLE6CvSII2KIggE9DM3aer4acJfP3kuX6RC65SW1BMZsL5qe_ctN5Hhw3VRii2F7leaR_qDXW4XVJWjzw",
        "ES256":
            "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.PFl7ClbSAs4Hrckay8oStfXq_lNgu8lgKjh3ilxJgywohFVJGqRo6hLAZk36J1xfsmp2GIyLTylLkA9rBVpfEg",
        "ES384":
            "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.QrHyVhawN2AmXGx70BFjck-VeEKx-2Pfy1VjEw7DbwvWcRYiGz-IOscY1Llc-tGBI4fVL87hqJzLmRP9Tm1SOvIEhQ90g1nhUMo0QDswLDAcXL3DI6md-IGPYGbPO-cZ",
        "ES512":
            "eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.AOH-i0Wiidvq9JUs4YxQs_xc-fWOAZktckbnVvHWOeVLEEJmcvxZTeSaIAKuNN-sWOxkS8H2i7qYuFzLIZ3fjEOMAC2fH9j9IHQxFTLXbIeHX1y45C77uAavZsITIh6WcDTdQeVI4MhRtZDRZbmtjTDyi1fU3KiXjNkt-46donEkRugq",
        "ES521":
            "eyJhbGciOiJFUzUyMSIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.ASKV1FL-1nE9SNBosh-1w1F0hkvHB7tWgxK3bpnm9Nq0lenbYjd70JTiSU6HaRhj6wunugOxOASqPTAfnl-xSXaSAGQMb0MlY1Sjlvnc_4uKJqGl55UWg4LU04Vs-ugcABoGrjHnq-nIx8v6iN2qrM3AeUK2WTNAI4yQr_GVglxt8rH1",
        "EdDSA":
            "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0OTQ5NTU4MDQ2LCJpYXQiOjE3OTU5NTgwNDYsImp0aSI6IjVkMmVjNjMyMjkzOTQ3MTNiMDViZDgzMzM0NmMyNTk1IiwidXNlcl9pZCI6IjcifQ.TwfAPKGuj6QhUTEdHqKTR14BGhVfqN84jPZIPMccvSkh3CAsL64bYfGOcw2DFLS2wX4Trcb5i48Uh3mXxG4PCA",
    ]
}
