using System.Text;
using System.Text.Json.Serialization;
using RecoverySim.GoldenImage.Json;

namespace RecoverySim.GoldenImage.Tests.Json;

public sealed class Sample
{
    public required string Name { get; init; }

    public int? Count { get; init; }

    public ulong Big { get; init; }

    public bool Flag { get; init; }

    public string? Note { get; init; }

    public List<Item>? Items { get; init; }
}

public sealed class Item
{
    public required int Id { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Sample))]
public sealed partial class SampleJsonContext : JsonSerializerContext;

public class StrictJsonFormatTests
{
    private static readonly StrictJsonFormat<Sample> Format = new(SampleJsonContext.Default, 4096, maxDepth: 4);

    private static string Error(string json) =>
        Assert.Throws<JsonInputException>(() => Format.Read(Encoding.UTF8.GetBytes(json), "s.json")).Message;

    [Fact]
    public void ReadsAValidDocument()
    {
        Sample s = Format.Read("{\"name\":\"n\",\"count\":3,\"big\":18446744073709551615,\"flag\":true,\"note\":null,\"items\":[{\"id\":1},{\"id\":2}]}"u8, "s.json");
        Assert.Equal("n", s.Name);
        Assert.Equal(3, s.Count);
        Assert.Equal(ulong.MaxValue, s.Big);
        Assert.True(s.Flag);
        Assert.Null(s.Note);
        Assert.Equal([1, 2], s.Items!.Select(i => i.Id));
    }

    [Fact]
    public void WritesSnakeCaseIndentedWithANewlineAndReadsItBack()
    {
        byte[] bytes = Format.Write(new Sample { Name = "a+b/c", Count = 1, Items = [new Item { Id = 7 }] });
        Assert.Equal("{\n  \"name\": \"a+b/c\",\n  \"count\": 1,\n  \"big\": 0,\n  \"flag\": false,\n  \"items\": [\n    {\n      \"id\": 7\n    }\n  ]\n}\n", Encoding.UTF8.GetString(bytes));
        Assert.Equal(7, Format.Read(bytes, "s.json").Items![0].Id);
    }

    [Theory]
    [InlineData("{\"name\":\"a\",\"name\":\"b\"}", "s.json: $.name: expected each field once, found it again (a duplicate key)")]
    [InlineData("{\"name\":\"a\",\"items\":[{\"id\":1,\"id\":1}]}", "s.json: $.items[0].id: expected each field once, found it again (a duplicate key)")]
    [InlineData("{\"name\":\"1.\\ud800\"}", "s.json: $.name: expected a string of Unicode text, found \"1.\\ud800\", which holds a lone UTF-16 surrogate")]
    [InlineData("{\"name\":\"\\udc00x\"}", "s.json: $.name: expected a string of Unicode text, found \"\\udc00x\", which holds a lone UTF-16 surrogate")]
    [InlineData("{\"n\\ud800\":1}", "s.json: $: expected a field name of Unicode text, found \"n\\ud800\", which holds a lone UTF-16 surrogate")]
    [InlineData("{\"name\":\"a\",\"extra\":1}", "s.json: $.extra: expected one of the fields name, count, big, flag, note, items, found an unknown field")]
    [InlineData("{\"count\":1}", "s.json: $.name: expected a string, found nothing (the field is required)")]
    [InlineData("{\"name\":1}", "s.json: $.name: expected a string, found 1")]
    [InlineData("{\"name\":null}", "s.json: $.name: expected a string, found null")]
    [InlineData("{\"name\":\"a\",\"count\":\"3\"}", "s.json: $.count: expected an integer from -2147483648 to 2147483647, found \"3\"")]
    [InlineData("{\"name\":\"a\",\"count\":2147483648}", "s.json: $.count: expected an integer from -2147483648 to 2147483647, found 2147483648")]
    [InlineData("{\"name\":\"a\",\"big\":-1}", "s.json: $.big: expected an integer from 0 to 18446744073709551615, found -1")]
    [InlineData("{\"name\":\"a\",\"flag\":1}", "s.json: $.flag: expected true or false, found 1")]
    [InlineData("{\"name\":\"a\",\"items\":{}}", "s.json: $.items: expected an array, found an object")]
    [InlineData("{\"name\":\"a\",\"items\":[null]}", "s.json: $.items[0]: expected an object, found null")]
    [InlineData("{\"name\":\"a\",}", "s.json: $: expected well-formed JSON (RFC 8259: no comments, no trailing commas), found '}' at line 1, column 13")]
    [InlineData("{\"name\":\"a\"// c\n}", "s.json: $: expected well-formed JSON (RFC 8259: no comments, no trailing commas), found '/' at line 1, column 12")]
    [InlineData("{\"name\":\"a\"}\n{}", "s.json: $: expected the end of the file after the JSON value, found '{' at line 2, column 1")]
    [InlineData("{\"name\":\"a\"}[", "s.json: $: expected the end of the file after the JSON value, found '[' at line 1, column 13")]
    [InlineData("", "s.json: $: expected well-formed JSON (RFC 8259: no comments, no trailing commas), found the end of the file at line 1, column 1")]
    [InlineData("[]", "s.json: $: expected an object, found an array")]
    [InlineData("\"x\"", "s.json: $: expected an object, found \"x\"")]
    public void EveryDefectIsOneLineWithItsPath(string json, string expected) => Assert.Equal(expected, Error(json));

    [Fact]
    public void SizeAndUtf8AreCheckedBeforeParsing()
    {
        Assert.Equal("s.json: $: expected at most 4096 bytes, found 4097 bytes", Assert.Throws<JsonInputException>(() => Format.Read(new byte[4097], "s.json")).Message);
        Assert.Equal("s.json: $: expected UTF-8 text, found an invalid UTF-8 sequence at byte 10",
            Assert.Throws<JsonInputException>(() => Format.Read([.. "{\"name\":\"a"u8, 0xff, .. "\"}"u8], "s.json")).Message);
    }

    [Fact]
    public void DepthIsBounded()
    {
        var deep = new StrictJsonFormat<Sample>(SampleJsonContext.Default, 4096, maxDepth: 2);
        Assert.Equal("s.json: $.items[0]: expected at most 2 levels of nested objects and arrays, found more",
            Assert.Throws<JsonInputException>(() => deep.Read("{\"name\":\"a\",\"items\":[{\"id\":1}]}"u8, "s.json")).Message);
    }

    [Fact]
    public void TheValidatorNamesPathsTheSameWay()
    {
        var check = new JsonFieldValidator("board.json");
        Assert.Equal("board.json: $.boot_limits.max_tries: expected an integer from 1 to 7, found 9",
            Assert.Throws<JsonInputException>(() => check.Integer("$.boot_limits.max_tries", 9, 1, 7)).Message);
        Assert.Equal(3, check.Integer("$.x", null, 1, 7, 3));
        Assert.Equal("board.json: $.x: expected an integer from 1 to 7, found nothing", Assert.Throws<JsonInputException>(() => check.Integer("$.x", null, 1, 7)).Message);
        Assert.Equal("board.json: $.p: expected one of \"ab\", \"single\", found \"abc\"",
            Assert.Throws<JsonInputException>(() => check.Choice("$.p", "abc", [("ab", 1), ("single", 2)])).Message);
        Assert.Equal("$[\"a b\"]", StrictJson.Member("$", "a b"));
        Assert.Equal("$.a_b[3]", StrictJson.Element(StrictJson.Member("$", "a_b"), 3));
    }
}
