using System.Security.Cryptography;
using System.Text;

namespace RecoverySim.Lab.Web;

/// <summary>
/// The dashboard's anti-CSRF tokens (docs/WEB.md "Security"): a page load without a valid session
/// gets a random session id in a <c>SameSite=Strict</c>, <c>HttpOnly</c> cookie, and the page
/// carries the token bound to it, HMAC-SHA256 of the id under a key that lives only in this
/// process. A state-changing request must send the cookie and the token (header or form field);
/// another site can make a browser send the cookie at most, never read the token.
/// </summary>
public sealed class SessionTokens
{
    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "rsim_session";

    /// <summary>The request header that carries the token.</summary>
    public const string HeaderName = "X-RecoverySim-Token";

    /// <summary>The form field that may carry the token instead.</summary>
    public const string FieldName = "token";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>A new random session id (256 bits, base64url).</summary>
    public static string NewSession() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>True when <paramref name="session"/> has the shape of an id this class makes.</summary>
    public static bool IsSessionId(string? session) =>
        session is { Length: 43 } && session.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The token of <paramref name="session"/>.</summary>
    public string TokenFor(string session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(session)));
    }

    /// <summary>True when <paramref name="token"/> is the token of <paramref name="session"/> (compared in fixed time).</summary>
    public bool IsValid(string? session, string? token)
    {
        if (!IsSessionId(session) || token is null || token.Length != 43)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(TokenFor(session!)), Encoding.ASCII.GetBytes(token));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
