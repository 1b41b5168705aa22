using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Tests;

public sealed class PacketTests
{
    private static readonly Gen<string> Word = Gen.Char['!', '~'].Array[1, 24].Select(chars => new string(chars));
    private static readonly Gen<TftpOption> Option = Gen.Select(Word, Gen.Char['0', '9'].Array[0, 12].Select(c => new string(c)), (n, v) => new TftpOption(n, v));
    private static readonly Gen<TftpRequestPacket> Request = Gen.Select(
        Gen.OneOf(Gen.Const(TftpOpcode.ReadRequest), Gen.Const(TftpOpcode.WriteRequest)),
        Word,
        Gen.OneOf(Gen.Const("octet"), Gen.Const("NETASCII"), Gen.Const("Octet")),
        Option.Array[0, 6],
        (op, name, mode, options) => new TftpRequestPacket(op, name, mode, options));

    private static readonly Gen<byte[]> Valid = Gen.OneOf(
        Request.Select(Encode),
        Option.Array[1, 6].Select(o => Encode(new TftpOackPacket(o))),
        Gen.UShort.Select(b => Packets.Ack(b)),
        Gen.Select(Gen.UShort, Gen.Byte.Array[0, 600], (b, p) => Packets.Data(b, p)),
        Gen.Select(Gen.UShort, Word, (c, m) => Packets.Error(c, m)));

    [Fact]
    public void Request_round_trips() =>
        Request.Sample(request =>
        {
            TftpRequestPacket parsed = TftpRequestPacket.Parse(Encode(request));
            Assert.Equal(request.Opcode, parsed.Opcode);
            Assert.Equal(request.FileName, parsed.FileName);
            Assert.Equal(request.Mode, parsed.Mode);
            Assert.Equal(request.Options, parsed.Options);
        }, iter: 2000);

    [Fact]
    public void Oack_round_trips() =>
        Option.Array[1, TftpLimits.MaxOptions].Sample(options =>
        {
            TftpOackPacket parsed = TftpOackPacket.Parse(Encode(new TftpOackPacket(options)));
            Assert.Equal(options, parsed.Options);
        }, iter: 2000);

    [Fact]
    public void Data_ack_and_error_round_trip() =>
        Gen.Select(Gen.UShort, Gen.Char[' ', '~'].Array[0, 200].Select(c => new string(c))).Sample((block, message) =>
        {
            var bytes = new byte[TftpDataPacket.Size];
            new TftpDataPacket(block).WriteTo(bytes);
            Assert.True(TftpDataPacket.TryParse(bytes, out TftpDataPacket data));
            Assert.Equal(block, data.Block);
            Assert.Equal(Packets.Data(block, []), bytes);

            new TftpAckPacket(block).WriteTo(bytes);
            Assert.True(TftpAckPacket.TryParse(bytes, out TftpAckPacket ack));
            Assert.Equal(block, ack.Block);
            Assert.Equal(Packets.Ack(block), bytes);

            var error = new TftpErrorPacket((TftpErrorCode)(block % 9), message);
            var encoded = new byte[error.GetLength()];
            error.WriteTo(encoded);
            Assert.True(TftpErrorPacket.TryParse(encoded, out TftpErrorPacket parsed));
            Assert.Equal(error, parsed);
        }, iter: 2000);

    [Fact]
    public void Random_bytes_give_a_typed_error_or_a_packet() =>
        Gen.Byte.Array[0, 700].Sample(bytes => ParseEverything(bytes), iter: 5000);

    [Fact]
    public void Mutated_packets_give_a_typed_error_or_a_packet() =>
        Gen.Select(Valid, Gen.Int[0, 1000], Gen.Byte, Gen.Int[0, 3]).Sample((packet, position, value, how) =>
        {
            var mutated = new List<byte>(packet);
            int at = mutated.Count == 0 ? 0 : position % mutated.Count;
            switch (how)
            {
                case 0 when mutated.Count > 0: mutated[at] = value; break;
                case 1 when mutated.Count > 0: mutated.RemoveAt(at); break;
                case 2: mutated.Insert(at, value); break;
                default: mutated.RemoveRange(at, mutated.Count - at); break;
            }

            ParseEverything(mutated.ToArray());
        }, iter: 5000);

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 1 })]
    [InlineData(new byte[] { 0, 1, 0 })]
    [InlineData(new byte[] { 0, 1, (byte)'a', (byte)'b' })]        // no NUL at all
    [InlineData(new byte[] { 0, 1, (byte)'a', 0 })]                 // no mode
    [InlineData(new byte[] { 0, 1, (byte)'a', 0, (byte)'o' })]      // mode without its NUL
    [InlineData(new byte[] { 0, 1, 0, (byte)'o', 0 })]              // empty file name
    [InlineData(new byte[] { 0, 7, (byte)'a', 0, (byte)'o', 0 })]   // opcode 7
    [InlineData(new byte[] { 0, 0, (byte)'a', 0, (byte)'o', 0 })]   // opcode 0
    [InlineData(new byte[] { 0xFF, 0xFF, (byte)'a', 0, (byte)'o', 0 })]
    public void Malformed_requests_are_refused(byte[] request)
    {
        var e = Assert.Throws<TftpProtocolException>(() => TftpRequestPacket.Parse(request));
        Assert.Equal(TftpErrorCode.IllegalOperation, e.ErrorCode);
    }

    [Fact]
    public void Option_without_value_is_refused()
    {
        var e = Assert.Throws<TftpProtocolException>(() => TftpRequestPacket.Parse(Packets.Strings(1, "f", "octet", "blksize")));
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, e.ErrorCode);
        Assert.Contains("blksize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_or_too_long_options_are_refused()
    {
        var many = new List<string> { "f", "octet" };
        for (int i = 0; i < TftpLimits.MaxOptions + 1; i++)
        {
            many.Add("o" + i);
            many.Add("1");
        }

        var e = Assert.Throws<TftpProtocolException>(() => TftpRequestPacket.Parse(Packets.Strings(1, many.ToArray())));
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, e.ErrorCode);

        e = Assert.Throws<TftpProtocolException>(() => TftpRequestPacket.Parse(Packets.Strings(1, "f", "octet", new string('x', 65), "1")));
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, e.ErrorCode);

        // 1,000 options cannot fit in 512 bytes: refused by size before anything else.
        var thousand = new List<string> { "f", "octet" };
        for (int i = 0; i < 1000; i++)
        {
            thousand.Add("a");
            thousand.Add("1");
        }

        e = Assert.Throws<TftpProtocolException>(() => TftpRequestPacket.Parse(Packets.Strings(1, thousand.ToArray())));
        Assert.Contains("512", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oack_without_its_last_nul_is_refused()
    {
        byte[] oack = Packets.Oack("blksize", "1468");
        Assert.Throws<TftpProtocolException>(() => TftpOackPacket.Parse(oack.AsSpan(0, oack.Length - 1)));
        Assert.Throws<TftpProtocolException>(() => TftpOackPacket.Parse(Packets.Oack()));
        Assert.Throws<TftpProtocolException>(() => TftpOackPacket.Parse(Packets.Oack("blksize")));
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("65464", true, 65464L)]
    [InlineData("99999999999999999999999999", true, long.MaxValue)]
    [InlineData("", false, 0L)]
    [InlineData("-1", false, 0L)]
    [InlineData("+5", false, 0L)]
    [InlineData(" 5", false, 0L)]
    [InlineData("5x", false, 0L)]
    [InlineData("0x10", false, 0L)]
    public void Decimal_option_values(string text, bool ok, long value)
    {
        Assert.Equal(ok, TftpStrings.TryParseDecimal(text, out long parsed));
        if (ok)
        {
            Assert.Equal(value, parsed);
        }
    }

    private static void ParseEverything(byte[] bytes)
    {
        // Each parser either returns or throws TftpProtocolException; anything else fails the test.
        try
        {
            TftpRequestPacket.Parse(bytes);
        }
        catch (TftpProtocolException)
        {
        }

        try
        {
            TftpOackPacket.Parse(bytes);
        }
        catch (TftpProtocolException)
        {
        }

        TftpDataPacket.TryParse(bytes, out _);
        TftpAckPacket.TryParse(bytes, out _);
        TftpErrorPacket.TryParse(bytes, out _);
        TftpPacket.TryReadOpcode(bytes, out _);
    }

    private static byte[] Encode(TftpRequestPacket request)
    {
        var bytes = new byte[request.GetLength()];
        Assert.Equal(bytes.Length, request.WriteTo(bytes));
        return bytes;
    }

    private static byte[] Encode(TftpOackPacket oack)
    {
        var bytes = new byte[oack.GetLength()];
        Assert.Equal(bytes.Length, oack.WriteTo(bytes));
        return bytes;
    }
}
