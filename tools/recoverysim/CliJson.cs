using System.Text.Json.Nodes;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.Cli;

/// <summary>
/// JSON output of the commands, built as <see cref="JsonNode"/> trees: no reflection, so the
/// command line also works compiled ahead of time (the bench script's build). Written with the
/// project's one set of writer options (<see cref="StrictJson"/>).
/// </summary>
public static class CliJson
{
    /// <summary>An array of <paramref name="items"/>, each turned into a node by <paramref name="node"/>.</summary>
    public static JsonArray Array<T>(IEnumerable<T> items, Func<T, JsonNode?> node) => new([.. items.Select(node)]);

    /// <summary>An array of strings.</summary>
    public static JsonArray Array(IEnumerable<string> items) => Array(items, s => JsonValue.Create(s));

    /// <summary>The text of <paramref name="node"/>, on one line or indented.</summary>
    public static string Write(JsonNode node, bool indented = false) => StrictJson.WriteString(w => node.WriteTo(w), indented);
}
