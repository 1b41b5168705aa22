using RecoverySim.Testing;
using System.Text;
using RecoverySim.Lab.Web;

namespace RecoverySim.Web.Tests.Web;

/// <summary>The dashboard's form parser: a CsCheck round trip over encoded forms, random bodies give a <see cref="FormValueException"/> or a value, and each rule names its field.</summary>
public sealed class FormValuesTests
{
    private static readonly string[] Names = ["partition", "damage", "offset", "length", "count", "seed", "token", "wifi_only", "window_start"];

    private static readonly Gen<Dictionary<string, string>> Forms =
        Gen.Select(Gen.Int[0, Names.Length - 1], Gen.String[Gen.Char.Where(c => !char.IsControl(c) && !char.IsSurrogate(c)), 0, 40])
            .Array[0, 8]
            .Select(pairs => pairs.GroupBy(p => Names[p.Item1]).ToDictionary(g => g.Key, g => g.First().Item2));

    private static readonly Gen<long> Integers = Gen.Long;

    [Fact]
    public void RoundTrip() => Forms.Sample(form =>
    {
        string body = string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value).Replace("%20", "+", StringComparison.Ordinal)}"));
        FormValues parsed = FormValues.Parse(body, Names);
        Assert.Equal(form.OrderBy(p => p.Key), parsed.Values.OrderBy(p => p.Key));
    }, seed: Fuzz.Seed(11));

    [Fact]
    public void IntegersRoundTripAndAnythingElseIsRefusedNamingTheField() => Integers.Sample(n =>
    {
        Assert.Equal(n, FormValues.Parse($"offset={n}", Names).Integer("offset", long.MinValue, long.MaxValue));
        var e = Assert.Throws<FormValueException>(() => FormValues.Parse($"offset={n}x", Names).Integer("offset", long.MinValue, long.MaxValue));
        Assert.Equal("offset", e.Field);
    }, seed: Fuzz.Seed(12));

    [Fact]
    public void RandomBodiesGiveAFormValueExceptionOrValues()
    {
        byte[][] valid = [Encoding.UTF8.GetBytes("partition=boot_a&damage=range&offset=4096&length=16&token=abc"), Encoding.UTF8.GetBytes("wifi_only=true&window_start=22%3A00")];
        Fuzz.Check(13, Fuzz.Mutated(valid), bytes =>
        {
            FormValues form = FormValues.Parse(Encoding.UTF8.GetString(bytes), Names);
            form.Integer("offset", 0, long.MaxValue, 0);
            form.TimeOfDay("window_start");
        }, typeof(FormValueException));
    }

    [Theory]
    [InlineData("colour=red", "colour", "one of the fields")]
    [InlineData("offset=1&offset=2", "offset", "a duplicate field")]
    [InlineData("Offset=1", "(name)", "a field name of 1 to 32 of a-z, 0-9 and '_', found \"Offset\"")]
    [InlineData("offset=%4", "offset", "percent escapes of two hex digits")]
    [InlineData("offset=%FF", "offset", "decode to UTF-8")]
    [InlineData("offset=%0A", "offset", "without control characters")]
    public void EachRuleNamesTheField(string body, string field, string expected)
    {
        var e = Assert.Throws<FormValueException>(() => FormValues.Parse(body, Names));
        Assert.Equal(field, e.Field);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("window_start=22:00", true)]
    [InlineData("window_start=7:00", false)]
    [InlineData("window_start=24:00", false)]
    [InlineData("window_start=22:00:00", false)]
    [InlineData("window_start=", true)]
    public void TimesOfDayAreHhMm(string body, bool valid)
    {
        FormValues form = FormValues.Parse(body, Names);
        if (valid)
        {
            form.TimeOfDay("window_start");
        }
        else
        {
            Assert.Equal("window_start", Assert.Throws<FormValueException>(() => form.TimeOfDay("window_start")).Field);
        }
    }

    [Fact]
    public void ABodyOverTheLimitIsRefused()
    {
        var e = Assert.Throws<FormValueException>(() => FormValues.Parse(new string('a', FormValues.MaxBodyBytes + 1), Names));
        Assert.Contains($"at most {FormValues.MaxBodyBytes} bytes", e.Message, StringComparison.Ordinal);
    }
}
