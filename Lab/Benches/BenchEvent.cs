namespace RecoverySim.Lab.Benches;

/// <summary>A change on a running bench, for the dashboard's event stream (docs/WEB.md "Events").</summary>
/// <param name="Kind"><c>board</c>, <c>tftp</c>, <c>campaign</c> or <c>settings</c>: the server-sent event's name.</param>
/// <param name="Json">The event's data: one JSON object, UTF-8, on one line.</param>
public sealed record BenchEvent(string Kind, byte[] Json);
