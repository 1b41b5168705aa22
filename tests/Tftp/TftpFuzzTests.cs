using System.Text;
using RecoverySim.Testing;
using RecoverySim.Tftp.Packets;
using RecoverySim.Tftp.Server;
using RecoverySim.Tftp.Transfers;

namespace RecoverySim.Tftp.Tests;

/// <summary>Mutation fuzzing of the TFTP packet and option parsers and of HOST[:PORT] (issue 14 part 4), and the corpus.</summary>
public class TftpFuzzTests
{
    private static readonly TftpServerOptions Limits = new() { Root = "/", MaxWindowSize = 64, MaxWindowBytes = 1 << 20 };

    private static readonly byte[][] Requests =
    [
        Packets.Strings(1, "golden.rsim", "octet", "blksize", "1468", "windowsize", "8", "tsize", "0", "timeout", "1"),
        Packets.Strings(2, "up/load.bin", "netascii", "tsize", "123456"),
        Packets.Strings(1, "f", "octet"),
    ];

    private static readonly byte[][] Others =
    [
        Packets.Oack("blksize", "1468", "windowsize", "8", "tsize", "65536"),
        Packets.Oack("timeout", "3"),
        Packets.Ack(1),
        Packets.Data(65535, [1, 2, 3]),
        Packets.Error(2, "access violation"),
    ];

    public static TheoryData<string, byte[]> EndPointCorpus => Corpus.Of("tftp-endpoint");

    public static TheoryData<string, byte[]> PacketCorpus => Corpus.Of("tftp-packets");

    [Fact]
    public void Requests_give_a_protocol_exception_or_a_request_whose_options_negotiate_or_are_refused() =>
        Fuzz.Check(1431, Fuzz.Mutated(Requests), bytes =>
        {
            TftpRequestPacket request = TftpRequestPacket.Parse(bytes);
            byte[] again = new byte[request.GetLength()];
            request.WriteTo(again);
            Assert.Equal(request.FileName, TftpRequestPacket.Parse(again).FileName);
            ServerNegotiation n = ServerOptionNegotiator.Negotiate(request, TftpMode.Octet, Limits, 1 << 20);
            Assert.InRange(n.Options.BlockSize, TftpLimits.MinBlockSize, TftpLimits.MaxBlockSize);
        }, typeof(TftpProtocolException));

    [Fact]
    public void Oacks_give_a_protocol_exception_or_options_the_client_asked_for()
    {
        var requested = new List<TftpOption> { new("blksize", "1468"), new("windowsize", "8"), new("tsize", "0"), new("timeout", "3") };
        Fuzz.Check(1432, Fuzz.Mutated(Others), bytes =>
        {
            TftpOackPacket oack = TftpOackPacket.Parse(bytes);
            TftpNegotiatedOptions options = ClientOackValidator.Validate(oack, requested, TftpOperation.Read, 1L << 40);
            Assert.InRange(options.BlockSize, TftpLimits.MinBlockSize, 1468);
        }, typeof(TftpProtocolException));
    }

    [Fact]
    public void Ack_data_and_error_try_parse_never_throw() =>
        Fuzz.Mutated(Others).Sample(bytes =>
        {
            TftpAckPacket.TryParse(bytes, out _);
            TftpDataPacket.TryParse(bytes, out _);
            TftpErrorPacket.TryParse(bytes, out _);
        }, seed: Fuzz.Seed(1433), iter: Fuzz.Iterations);

    [Fact]
    public void Endpoint_text_gives_a_format_exception_or_an_endpoint_that_parses_back() =>
        Fuzz.Check(1434, Fuzz.Mutated("127.0.0.1:69"u8.ToArray(), "[::1]:6969"u8.ToArray(), "tftp.lab.example:1069"u8.ToArray(), "fe80::1"u8.ToArray()), bytes =>
        {
            TftpEndPoint e = TftpEndPoint.Parse(Encoding.UTF8.GetString(bytes));
            Assert.Equal(e, TftpEndPoint.Parse(e.ToString()));
        }, typeof(TftpEndPointFormatException));

    [Theory]
    [MemberData(nameof(PacketCorpus))]
    public void Corpus_packets_are_refused_in_one_line(string file, byte[] bytes)
    {
        var requested = new List<TftpOption> { new("blksize", "1468"), new("timeout", "3") };
        var e = Assert.Throws<TftpProtocolException>(() =>
        {
            if (Packets.Opcode(bytes) == (ushort)TftpOpcode.OptionAck)
            {
                ClientOackValidator.Validate(TftpOackPacket.Parse(bytes), requested, TftpOperation.Read, 1L << 40);
            }
            else
            {
                ServerOptionNegotiator.Negotiate(TftpRequestPacket.Parse(bytes), TftpMode.Octet, Limits, 1 << 20);
            }
        });
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(string.IsNullOrEmpty(file));
    }

    [Theory]
    [MemberData(nameof(EndPointCorpus))]
    public void Corpus_endpoints_are_refused(string file, byte[] bytes)
    {
        var e = Assert.Throws<TftpEndPointFormatException>(() => TftpEndPoint.Parse(Encoding.UTF8.GetString(bytes)));
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(string.IsNullOrEmpty(file));
    }
}
