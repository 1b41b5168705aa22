using System.Net;
using RecoverySim.Tftp;

namespace RecoverySim.Tftp.Tests;

public class TftpEndPointTests
{
    private static readonly Gen<TftpEndPoint> GenEndPoint =
        from host in Gen.OneOf(
            Gen.Byte.Array[4].Select(b => new IPAddress(b).ToString()),
            Gen.Byte.Array[16].Select(b => new IPAddress(b).ToString()),
            Gen.Char['a', 'z'].Array[1, 20].Select(c => new string(c) + ".example"))
        from port in Gen.Int[TftpEndPoint.MinPort, TftpEndPoint.MaxPort]
        select new TftpEndPoint(host, port);

    [Fact]
    public void ToStringParsesBack() => GenEndPoint.Sample(e => TftpEndPoint.Parse(e.ToString()) == e, iter: 500);

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 69)]
    [InlineData("127.0.0.1:6969", "127.0.0.1", 6969)]
    [InlineData("[::1]:6969", "::1", 6969)]
    [InlineData("[::1]", "::1", 69)]
    [InlineData("::1", "::1", 69)]
    [InlineData("fe80::1", "fe80::1", 69)]
    [InlineData("localhost:69", "localhost", 69)]
    [InlineData("tftp.lab-7.example:1", "tftp.lab-7.example", 1)]
    [InlineData("10.0.0.1:65535", "10.0.0.1", 65535)]
    public void ParsesTheForms(string text, string host, int port)
    {
        TftpEndPoint endPoint = TftpEndPoint.Parse(text);
        Assert.Equal(host, endPoint.Host);
        Assert.Equal(port, endPoint.Port);
        Assert.True(TftpEndPoint.TryParse(text, out TftpEndPoint? again));
        Assert.Equal(endPoint, again);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:69")]
    [InlineData("::1", "[::1]:69")]
    [InlineData("[::1]:0069", "[::1]:69")]
    public void ToStringIsCanonical(string text, string canonical) => Assert.Equal(canonical, TftpEndPoint.Parse(text).ToString());

    // F4: port 99999 was accepted in board.json ("::::99999") and by board create (127.0.0.1:99999).
    [Theory]
    [InlineData("127.0.0.1:99999", "port '99999': expected 1 to 65535")]
    [InlineData("::::99999", "'::::99999' is not an IPv6 address")]
    [InlineData("[::1]:99999", "port '99999': expected 1 to 65535")]
    [InlineData("127.0.0.1:0", "port '0'")]
    [InlineData("127.0.0.1:", "port ''")]
    [InlineData("127.0.0.1:+69", "port '+69'")]
    [InlineData("127.0.0.1: 69", "port ' 69'")]
    [InlineData(":69", "found no host")]
    [InlineData("", "found nothing")]
    [InlineData("[::1", "'[' without ']'")]
    [InlineData("[::1]x", "text after ']'")]
    [InlineData("[127.0.0.1]:69", "brackets hold an IPv6 address")]
    [InlineData("bad host:69", "not an IPv4 address or a host name")]
    [InlineData("a\u0000b", "not an IPv4 address or a host name")]
    public void RefusesBadTextNamingWhatIsWrong(string text, string reason)
    {
        TftpEndPointFormatException e = Assert.Throws<TftpEndPointFormatException>(() => TftpEndPoint.Parse(text));
        Assert.Contains(reason, e.Message);
        Assert.Contains(reason, e.Reason);
        Assert.Equal(text, e.Text);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(TftpEndPoint.TryParse(text, out _));
    }

    [Fact]
    public void TheConstructorChecksLikeParse()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TftpEndPoint("127.0.0.1", 99999));
        Assert.Throws<ArgumentException>(() => new TftpEndPoint("::::1", 69));
    }

    [Fact]
    public void ResolvesLiteralsWithoutDns()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6969), TftpEndPoint.Parse("127.0.0.1:6969").Resolve());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 69), TftpEndPoint.Parse("::1").Resolve());
    }

    [Fact]
    public void ResolvesLocalhostPreferringIPv4() =>
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, TftpEndPoint.Parse("localhost").Resolve().AddressFamily);

    [Fact]
    public void MutatedTextGivesAnEndPointOrAFormatException() =>
        Gen.Select(GenEndPoint, Gen.Int[0, 40], Gen.Char).Sample((endPoint, at, c) =>
        {
            string text = endPoint.ToString();
            text = text.Remove(at % text.Length, 1).Insert(at % text.Length, c.ToString());
            try
            {
                TftpEndPoint parsed = TftpEndPoint.Parse(text);
                return parsed.Port is >= 1 and <= 65535 && TftpEndPoint.Parse(parsed.ToString()) == parsed;
            }
            catch (TftpEndPointFormatException)
            {
                return true;
            }
        }, iter: 2000);
}
