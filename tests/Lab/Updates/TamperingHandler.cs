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

    /// <summary>True for a request of the package named <paramref name="file"/>.</summary>
    public static bool IsPackage(HttpRequestMessage request, string file) => request.RequestUri!.AbsolutePath.EndsWith("/packages/" + file, StringComparison.Ordinal);
}
