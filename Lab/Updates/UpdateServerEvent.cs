namespace RecoverySim.Lab.Updates;

/// <summary>
/// One thing the update server did: a request served (<c>request</c>), an index signed
/// (<c>index</c>), a file left out of an index (<c>skipped</c>), a reload (<c>reload</c>), a
/// report stored (<c>report</c>), a failure it kept running through (<c>error</c>).
/// </summary>
/// <param name="Time">When, on the server's clock.</param>
/// <param name="Kind">One of the kinds above.</param>
/// <param name="Message">One line for people.</param>
public sealed record UpdateServerEvent(DateTimeOffset Time, string Kind, string Message)
{
    /// <summary>The request method (request events).</summary>
    public string? Method { get; init; }

    /// <summary>The request path (request events).</summary>
    public string? Path { get; init; }

    /// <summary>The response status (request events).</summary>
    public int? Status { get; init; }

    /// <summary>The response's Content-Length when it has one (request events).</summary>
    public long? Bytes { get; init; }

    /// <summary>The client's address and port (request events).</summary>
    public string? Remote { get; init; }
}
