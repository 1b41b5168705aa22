using RecoverySim.Lab.Network;

namespace RecoverySim.Lab.Tests.Updates;

/// <summary>
/// A man in the middle between the agent and the update server: it may rewrite a request before it
/// goes, and the response when it comes back (the attack suite's hostile network).
/// </summary>
internal sealed class TamperingHandler(Func<HttpRequestMessage, HttpResponseMessage, Task<HttpResponseMessage>> tamper, Action<HttpRequestMessage>? before = null)
    : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        before?.Invoke(request);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        return await tamper(request, response);
    }

    /// <summary>The response with its body replaced by <paramref name="body"/> (status and headers kept, lengths rewritten).</summary>
    public static HttpResponseMessage WithBody(HttpResponseMessage response, HttpContent body)
    {
        foreach (var header in response.Content.Headers)
        {
            if (header.Key is not ("Content-Length" or "Content-Type"))
            {
                body.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        response.Content = body;
        return response;
    }

    /// <summary>A client whose responses for the package <paramref name="file"/> break off after <paramref name="limit"/> bytes, as a dropped connection does.</summary>
    public static HttpClient Cutting(string file, long limit, Action<HttpRequestMessage>? before = null) =>
        new(new TamperingHandler((request, response) => Task.FromResult(IsPackage(request, file)
            ? WithBody(response, new StreamContent(new BrokenConnectionStream(response.Content.ReadAsStream(), limit)))
            : response), before));

    /// <summary>True for a request of the package named <paramref name="file"/>.</summary>
    public static bool IsPackage(HttpRequestMessage request, string file) => request.RequestUri!.AbsolutePath.EndsWith("/packages/" + file, StringComparison.Ordinal);
}
