using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Security;
using RecoverySim.GoldenImage.Keys;

namespace RecoverySim.GoldenImage.Tests;

/// <summary>
/// One key of each algorithm per test process (RSA-3072 generation takes a second or more),
/// from a fixed seed so that failures replay.
/// </summary>
internal static class TestKeys
{
    private static readonly Lazy<SigningKey> LazyEd25519 = new(() => Generate(SignatureAlgorithm.Ed25519, 1));
    private static readonly Lazy<SigningKey> LazyEcdsa = new(() => Generate(SignatureAlgorithm.EcdsaP256Sha256, 2));
    // RSA-3072 generation takes seconds on a loaded machine: a fixed key made by openssl instead.
    private static readonly Lazy<SigningKey> LazyRsa = new(() => SigningKey.FromPem(RsaPem, "test rsa key"));
    private static readonly Lazy<SigningKey> LazyOtherEd25519 = new(() => Generate(SignatureAlgorithm.Ed25519, 4));

    private const string RsaPem = """
-----BEGIN PRIVATE KEY-----
MIIG/gIBADANBgkqhkiG9w0BAQEFAASCBugwggbkAgEAAoIBgQCl9vUTqRFL1gxm
IEcuddAIu7B0Pt2yP9WpgMLQePhvrOf251O4jCYTWOm+uDRkPeGQReBIVzYo79hm
iZ8+aKHDMDUM59mMqLOtNvKMo+HpjODmsQN0gK2bXz0uyY32BrnJeuSFdbi4KfCk
0NdYTB0e3b+qfPjp7QIXSPaN6oeqHZeZAmuB2bj6jvM6Xp1xFwTuwi+1PrmOBYw9
uKBBMaORs8lFNb2CyI3ulTP2dwTwUyzaWDOTrH8p0xnq9qvCyrTkXqazigcnJcrV
fz2ScNsgUuMCSqGLTQVmbi5Al92/zSepY54AFsqHtP8CQV7zhlNi0hJ6SGy8rnKj
Ptf+WhY1IjdFBG0l8Lslp2gp14gb2opgO8OVltGaJjfd4fMyA25/UUxJMaQt0rcJ
OjmmTFPlSVnYk0wID8gB4GNDftQO6TbhU61+RtcLZNO3E8XwHhCurR9ZbUFnM5rh
Wy+152tx2scBnvWREHXIZoCr0Qqxh3alZCEsUAUaxWz8jeUB0m0CAwEAAQKCAYAH
+wfeaz0XGTgilLnviJVEHOhiMqAHrAJQIrkGJtGwJw+cI762y1siXN5tQB+EKXtG
VtcvNgMMoA9By6uHZ/x4Axet+EZ8Y86zYobHz11JP9ppusiDKpPj5TDEkPHIC0Xq
+Ric4qQLC7iUEwHOmmcKaViH2sy/t5in5NI2+/iMQYeHwUzI+J6ol8VSQM36gURI
tI2a6M+p6LzivpUgMBeg5ZUPrwL0U29gcgwcCthHM9dejtVjbBeiUSci0WaW2Oya
z/xAAPH+mwJ+F2yg5r8DlLMuNCRtfoDkXtHEGccOa8gAmw3Pqn2WIfe7QOfxasbC
4qOFXjgkfR1Uw6JjXe/udgfOUUcjo8xzaot/XtupEtlw/ru1yenb554NlQm/EJLP
lz3lHOBG/G2Vxzp0boGdQxt5AVGX8xsaBhsUv1scazocCFmjLT/MaU466QUY1iJi
36Rk4D8N8wrDsCoxtTb7AmMokXHLbFgio4poQidcMGuc+aTebFLyldqqoRB5sNEC
gcEA4z8Yjoyb02E9c9118ZITskk/LJAx/ylMpGDkcy+mxy4qPgTz6BWwhGdvCb3T
o+w6SoD6zFIFoH+kYjlhM3ZOJadiPs2u2pCoEuv8nfdy1EbR7ONyvxYNKP4qqnZ2
V8F09JJhOklY6unP7ZpiYdmniUMV1oerCxEyXCYkbYmt9uA4oUPY2TpSK9D2PGdB
jQqu7lCuI/6xTGxw0dPmmp4mcVglzq+KZXKwCAPNmDSuEIpF9SS3G9XMaVRTFIYG
jkaRAoHBALr21rh3dzXRxZRvxQQZofYj5dFUOFMjwFKtakZtebHp9EUAthkywxVP
43li1q0MwEl9yQLkiZAtOQSX5R7tIEt8u6M+my5mfchiOCqaeG4ur3P8yHPA/ZdD
eKLRMu95aANASIydPkuo1nckX9kimAQLWcopCnRl44vdbKuIKKMepXRmUReK/N51
fiJmflHZV8XJsxgfUZYhM2kukyeBdEL2jK15XSsapMPwUbwcXMNzJLqEMOQWi473
tGLrAJiUHQKBwEAZbh3Xf6TSSvlBwKERaUji7FTvn4qv5ZSAWDA9grewR+4Si5It
fAr8+g8vYmFcotydISE9CaVKG94w/T/84PIyEr5QWkAAicg8lJciU1uZVmGRjq5j
0/Z6KyLGI3+BbDIIkDBWvCQXK7WD1LhxIpbPO3u17QNEKIZho+jZ6x42BQNIFgTA
NKlzWeGT5qOYHdvPGi/BCdXayMAHG4cFkSZrjM6OKWWQQiMgn3+NbIPx3OXXI2dQ
mUYkqQKjA3piYQKBwQC4egBp6W7VytMSYKpcHlKhxM/pmRkuZ7NHoNahATo3o2mj
gE0tVdoJuFbyGeVKwK8mlJd3ZDqb6RM+hgXMWxsngL7AF3EU+ooX41oaJ2q3BReX
8Y90L7PIwglRVevVQMyxkIdFP44NJ13eFyT/4dNvAigpgg9PxI0eH3AvXF0EfqOw
05gmC7zwX6wCk3EGn9asURWGsrhU0xOgMBWAwIoP3Kf4Ly0P7+0tbH2ph668J2vR
Icf/9oLjoWP6yng/FL0CgcEAqVOrlNKRWKK7b+iwbaIJ5J0kbm+91wPeTZ4cV3+E
Lw+pmO8PS/2U4riHsHQMRxiax2lYnI9qgQEvBcm/2Upw/AzVJ2Bwa4B2VGxhBUED
Ixb5ZY7thKxGGUExW0IdBVNNkUojKuHmSawC1jb8rJdKkzhIT9UQwbFwVIj7unes
i/QeuItyJtIfsPfJze+11pzhMH4BrI+mhUMpj0cnvJMXbc3fYkRwXe8cmpV9FlVC
17peY37ek3oUEc+Low8lwA2C
-----END PRIVATE KEY-----
""";

    public static SigningKey Ed25519 => LazyEd25519.Value;

    public static SigningKey Ecdsa => LazyEcdsa.Value;

    public static SigningKey Rsa => LazyRsa.Value;

    /// <summary>A second Ed25519 key, for "wrong key" cases.</summary>
    public static SigningKey OtherEd25519 => LazyOtherEd25519.Value;

    public static SigningKey For(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => Ed25519,
        SignatureAlgorithm.EcdsaP256Sha256 => Ecdsa,
        SignatureAlgorithm.RsaPss3072Sha256 => Rsa,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static SecureRandom Seeded(long seed)
    {
        var generator = new DigestRandomGenerator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest());
        generator.AddSeedMaterial(seed);
        return new SecureRandom(generator);
    }

    private static SigningKey Generate(SignatureAlgorithm algorithm, long seed) => SigningKey.Generate(algorithm, Seeded(seed));
}
