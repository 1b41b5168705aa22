using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Server;

namespace RecoverySim.Tftp.Tests;

public sealed class NegotiatorTests
{
    private static readonly TftpServerOptions Limits = new() { Root = "/", MaxWindowSize = 64, MaxWindowBytes = 1 << 20 };

    private static ServerNegotiation Negotiate(TftpOpcode opcode, long? size, params string[] pairs)
    {
        var options = new List<TftpOption>();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            options.Add(new TftpOption(pairs[i], pairs[i + 1]));
        }

        return ServerOptionNegotiator.Negotiate(new TftpRequestPacket(opcode, "f", "octet", options), TftpMode.Octet, Limits, size);
    }

    [Fact]
    public void Never_grants_more_than_asked() =>
        Gen.Select(Gen.Int[8, 70000], Gen.Int[1, 70000]).Sample((block, window) =>
        {
            ServerNegotiation n = Negotiate(TftpOpcode.ReadRequest, 10, "blksize", block.ToString(), "windowsize", window.ToString());
            Assert.True(n.Options.BlockSize <= block && n.Options.BlockSize <= TftpLimits.MaxBlockSize);
            Assert.True(n.Options.WindowSize <= window && n.Options.WindowSize <= 64);
            Assert.True((long)n.Options.BlockSize * n.Options.WindowSize <= (1 << 20) || n.Options.WindowSize == 1);
            Assert.Equal(n.Options.BlockSize.ToString(), n.Acknowledged[0].Value);
        }, iter: 2000);

    [Fact]
    public void Names_are_case_insensitive_unknown_options_ignored_and_timeout_echoed()
    {
        ServerNegotiation n = Negotiate(TftpOpcode.ReadRequest, 1234, "multicast", "", "BLKSIZE", "1468", "TimeOut", "007", "TSize", "0", "rollover", "0");
        Assert.Equal([new TftpOption("BLKSIZE", "1468"), new TftpOption("TimeOut", "007"), new TftpOption("TSize", "1234")], n.Acknowledged);
        Assert.Equal(TimeSpan.FromSeconds(7), n.Timeout);
        Assert.Equal(new TftpNegotiatedOptions(1468, 1, 7, 1234), n.Options);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("256")]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    public void An_invalid_timeout_is_left_out(string value) =>
        Assert.Empty(Negotiate(TftpOpcode.ReadRequest, 5, "timeout", value).Acknowledged);

    [Fact]
    public void No_tsize_for_an_empty_file_nor_for_netascii()
    {
        Assert.Empty(Negotiate(TftpOpcode.ReadRequest, 0, "tsize", "0").Acknowledged);
        ServerNegotiation text = ServerOptionNegotiator.Negotiate(
            new TftpRequestPacket(TftpOpcode.ReadRequest, "f", "netascii", [new TftpOption("tsize", "0")]), TftpMode.Netascii, Limits, 100);
        Assert.Empty(text.Acknowledged);
    }

    [Fact]
    public void A_write_echoes_tsize_and_refuses_what_cannot_fit()
    {
        Assert.Equal([new TftpOption("tsize", "500")], Negotiate(TftpOpcode.WriteRequest, null, "tsize", "500").Acknowledged);
        var big = Limits with { MaxWriteSize = 100 };
        var e = Assert.Throws<TftpProtocolException>(() => ServerOptionNegotiator.Negotiate(
            new TftpRequestPacket(TftpOpcode.WriteRequest, "f", "octet", [new TftpOption("tsize", "500")]), TftpMode.Octet, big, null));
        Assert.Equal(TftpErrorCode.DiskFull, e.ErrorCode);
    }

    [Fact]
    public void The_window_shrinks_to_fit_the_window_byte_cap()
    {
        ServerNegotiation n = Negotiate(TftpOpcode.ReadRequest, 5, "blksize", "65464", "windowsize", "64");
        Assert.Equal(16, n.Options.WindowSize);
    }

    [Fact]
    public void The_first_of_a_repeated_option_counts()
    {
        ServerNegotiation n = Negotiate(TftpOpcode.ReadRequest, 5, "blksize", "1000", "blksize", "2000");
        Assert.Equal([new TftpOption("blksize", "1000")], n.Acknowledged);
    }
}
