using System.Buffers.Binary;
using System.Text;
using RecoverySim.Tftp.Packets;

namespace RecoverySim.Tftp.Tests;

/// <summary>Builders of raw packets for tests (independent of the code under test where it matters).</summary>
public static class Packets
{
    public static byte[] Data(int block, byte[] payload)
    {
        var packet = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(packet, 3);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)block);
        payload.CopyTo(packet, 4);
        return packet;
    }

    public static byte[] Ack(int block)
    {
        var packet = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(packet, 4);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)block);
        return packet;
    }

    public static byte[] Error(int code, string message)
    {
        var bytes = new List<byte> { 0, 5, (byte)(code >> 8), (byte)code };
        bytes.AddRange(Encoding.ASCII.GetBytes(message));
        bytes.Add(0);
        return bytes.ToArray();
    }

    /// <summary>Opcode then NUL-terminated strings.</summary>
    public static byte[] Strings(int opcode, params string[] strings)
    {
        var bytes = new List<byte> { (byte)(opcode >> 8), (byte)opcode };
        foreach (string s in strings)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes(s));
            bytes.Add(0);
        }

        return bytes.ToArray();
    }

    public static byte[] Oack(params string[] pairs) => Strings(6, pairs);

    public static ushort Opcode(byte[] packet) => BinaryPrimitives.ReadUInt16BigEndian(packet);

    public static ushort Block(byte[] packet) => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));

    public static bool IsData(byte[] packet) => packet.Length >= 4 && Opcode(packet) == (ushort)TftpOpcode.Data;

    public static bool IsError(byte[] packet, TftpErrorCode code) =>
        packet.Length >= 4 && Opcode(packet) == (ushort)TftpOpcode.Error && BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)) == (ushort)code;
}
