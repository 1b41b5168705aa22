namespace RecoverySim.BlockDevice;

/// <summary>
/// A device in memory, sparse: storage is allocated in chunks of <see cref="ChunkBytes"/> on the
/// first write to a chunk, so a large virtual disk costs only what was written. Every write is
/// durable at once (there is no cache to lose); wrap it in a
/// <see cref="Faults.FaultyBlockDevice"/> to simulate one.
/// </summary>
public sealed class MemoryBlockDevice : IBlockDevice
{
    /// <summary>Bytes per allocation chunk (1 MiB): a multiple of every sector size up to 1 MiB.</summary>
    public const int ChunkBytes = 1 << 20;

    private readonly byte[]?[] _chunks;
    private bool _disposed;

    /// <summary>Creates a zero-filled device of <paramref name="sectorCount"/> sectors of <paramref name="sectorSize"/> bytes.</summary>
    public MemoryBlockDevice(long sectorCount, int sectorSize = 512)
    {
        SectorRange.CheckSectorSize(sectorSize);
        if (sectorSize > ChunkBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(sectorSize), $"sector size {sectorSize} is above the limit {ChunkBytes}");
        }

        if (sectorCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sectorCount), $"sector count {sectorCount} is below 1");
        }

        long chunkCount = (sectorCount * sectorSize + ChunkBytes - 1) / ChunkBytes;
        if (chunkCount > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(sectorCount), $"{sectorCount} sectors need {chunkCount} chunks, above the limit {Array.MaxLength}");
        }

        SectorSize = sectorSize;
        SectorCount = sectorCount;
        _chunks = new byte[]?[chunkCount];
    }

    /// <summary>Creates a device holding a copy of <paramref name="image"/>, whose length must be a whole, non-zero number of sectors.</summary>
    public static MemoryBlockDevice FromImage(ReadOnlySpan<byte> image, int sectorSize = 512)
    {
        SectorRange.CheckSectorSize(sectorSize);
        if (image.Length == 0 || image.Length % sectorSize != 0)
        {
            throw new ArgumentException($"image length {image.Length} is not a non-zero multiple of the sector size {sectorSize}", nameof(image));
        }

        var device = new MemoryBlockDevice(image.Length / sectorSize, sectorSize);
        device.Write(0, image);
        return device;
    }

    /// <summary>Creates a device holding a copy of every sector of <paramref name="source"/> (read through its <see cref="IBlockDevice.Read"/>).</summary>
    public static MemoryBlockDevice CopyOf(IBlockDevice source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var device = new MemoryBlockDevice(source.SectorCount, source.SectorSize);
        BlockDeviceCopy.Copy(source, device);
        return device;
    }

    /// <inheritdoc />
    public int SectorSize { get; }

    /// <inheritdoc />
    public long SectorCount { get; }

    /// <summary>Bytes of memory allocated for written chunks.</summary>
    public long AllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (byte[]? chunk in _chunks)
            {
                total += chunk?.Length ?? 0;
            }

            return total;
        }
    }

    /// <summary>A deep copy: later writes to either device do not show in the other.</summary>
    public MemoryBlockDevice Clone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var copy = new MemoryBlockDevice(SectorCount, SectorSize);
        for (int i = 0; i < _chunks.Length; i++)
        {
            copy._chunks[i] = (byte[]?)_chunks[i]?.Clone();
        }

        return copy;
    }

    /// <inheritdoc />
    public void Read(long sector, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SectorRange.Check(this, sector, buffer.Length);
        long offset = sector * SectorSize;
        while (!buffer.IsEmpty)
        {
            int chunkIndex = (int)(offset / ChunkBytes);
            int within = (int)(offset % ChunkBytes);
            int n = Math.Min(buffer.Length, ChunkBytes - within);
            byte[]? chunk = _chunks[chunkIndex];
            if (chunk is null)
            {
                buffer[..n].Clear();
            }
            else
            {
                chunk.AsSpan(within, n).CopyTo(buffer);
            }

            buffer = buffer[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Write(long sector, ReadOnlySpan<byte> data, WriteFlags flags = WriteFlags.None)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SectorRange.Check(this, sector, data.Length);
        long offset = sector * SectorSize;
        while (!data.IsEmpty)
        {
            int chunkIndex = (int)(offset / ChunkBytes);
            int within = (int)(offset % ChunkBytes);
            int n = Math.Min(data.Length, ChunkBytes - within);
            byte[] chunk = _chunks[chunkIndex] ??= new byte[ChunkLength(chunkIndex)];
            data[..n].CopyTo(chunk.AsSpan(within));
            data = data[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Flush() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <inheritdoc />
    public void Discard(long sector, long count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SectorRange.CheckCount(this, sector, count);
        long offset = sector * SectorSize;
        long remaining = count * SectorSize;
        while (remaining > 0)
        {
            int chunkIndex = (int)(offset / ChunkBytes);
            int within = (int)(offset % ChunkBytes);
            int n = (int)Math.Min(remaining, ChunkBytes - within);
            byte[]? chunk = _chunks[chunkIndex];
            if (chunk is not null)
            {
                if (within == 0 && n == chunk.Length)
                {
                    _chunks[chunkIndex] = null; // the whole chunk is gone: give its memory back
                }
                else
                {
                    chunk.AsSpan(within, n).Clear();
                }
            }

            remaining -= n;
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        Array.Clear(_chunks);
    }

    private int ChunkLength(int chunkIndex)
    {
        long start = (long)chunkIndex * ChunkBytes;
        return (int)Math.Min(ChunkBytes, SectorCount * SectorSize - start);
    }
}
