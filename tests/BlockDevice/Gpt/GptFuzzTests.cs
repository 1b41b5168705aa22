using RecoverySim.BlockDevice;
using RecoverySim.BlockDevice.Gpt;
using RecoverySim.Testing;

namespace RecoverySim.BlockDevice.Tests.Gpt;

/// <summary>Mutation fuzzing of the GPT parsers (issue 14 part 4), and the corpus of inputs that found bugs.</summary>
public class GptFuzzTests
{
    public static TheoryData<string, byte[]> HeaderCorpus => Corpus.Of("gpt-header");

    [Fact]
    public void Header_parse_gives_a_gpt_format_exception_or_a_header_that_round_trips()
    {
        (MemoryBlockDevice disk, _) = GptGen.Small();
        byte[] primary = new byte[512], backup = new byte[512];
        disk.Read(1, primary);
        disk.Read(disk.SectorCount - 1, backup);
        Fuzz.Check(1421, Fuzz.Mutated(primary, backup), bytes =>
        {
            GptHeader header = GptHeader.Parse(bytes);
            Assert.True(header.MyLba >= 1 && header.PartitionEntryLba >= 1);
        }, typeof(GptFormatException));
    }

    [Fact]
    public void Protective_mbr_parse_gives_a_gpt_format_exception_or_an_mbr()
    {
        (MemoryBlockDevice disk, _) = GptGen.Small();
        byte[] mbr = new byte[512];
        disk.Read(0, mbr);
        Fuzz.Check(1422, Fuzz.Mutated(mbr), bytes => ProtectiveMbr.Parse(bytes), typeof(GptFormatException));
    }

    [Fact]
    public void Table_read_over_mutated_metadata_gives_a_gpt_format_exception_or_a_valid_table()
    {
        (MemoryBlockDevice pristine, _) = GptGen.Small();
        byte[] head = new byte[34 * 512];
        pristine.Read(0, head);
        Gen<byte[]> heads = Fuzz.Mutated(head);
        heads.Sample(bytes =>
        {
            MemoryBlockDevice disk = pristine.Clone();
            byte[] sectors = new byte[34 * 512];
            bytes.AsSpan(0, Math.Min(bytes.Length, sectors.Length)).CopyTo(sectors);
            disk.Write(0, sectors);
            try
            {
                GptTable read = GptTable.Read(disk).Table;
                Assert.Null(GptTable.Validate(read.SectorSize, read.FirstUsableLba, read.LastUsableLba, read.Entries, read.EntrySize));
            }
            catch (GptFormatException e)
            {
                Assert.DoesNotContain('\n', e.Message);
            }
        }, seed: Fuzz.Seed(1423), iter: 600);
    }

    [Theory]
    [MemberData(nameof(HeaderCorpus))]
    public void Corpus_headers_are_refused_with_unsigned_numbers(string file, byte[] bytes)
    {
        var e = Assert.Throws<GptFormatException>(() => GptHeader.Parse(bytes));
        Assert.DoesNotMatch(@"(?<![\w-])-\d", e.Message);
        Assert.False(string.IsNullOrEmpty(file));
    }
}
