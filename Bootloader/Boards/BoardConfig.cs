using System.Text.Encodings.Web;
using System.Text.Json;
using RecoverySim.Bootloader.Os;

namespace RecoverySim.Bootloader.Boards;

/// <summary>
/// The board's fuses and settings, stored as <c>board.json</c> (docs/FORMAT.md "board"): board id,
/// trusted keys, profile, recovery sources, boot limits and the simulated OS health. Read-only to
/// the bootloader and to recovery; only <c>board create</c> writes it.
/// </summary>
public sealed record BoardConfig
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "recoverysim-board";

    /// <summary>The layout version written and accepted.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Largest board.json read (bytes).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Longest board id (ASCII characters).</summary>
    public const int MaxBoardIdLength = 64;

    /// <summary>Most trusted keys.</summary>
    public const int MaxTrustedKeys = 16;

    /// <summary>Longest PEM of one key (characters).</summary>
    public const int MaxPemLength = 8192;

    /// <summary>Longest path, host or file name in the recovery configuration.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>The board id that images must carry.</summary>
    public required string BoardId { get; init; }

    /// <summary>The partition layout.</summary>
    public BoardProfile Profile { get; init; } = BoardProfile.Ab;

    /// <summary>The keys whose signatures the board accepts (at least one).</summary>
    public required IReadOnlyList<TrustedKey> TrustedKeys { get; init; }

    /// <summary>Where recovery mode looks for a golden image.</summary>
    public RecoveryConfig Recovery { get; init; } = RecoveryConfig.Default;

    /// <summary>Boot counting limits.</summary>
    public BootLimits Limits { get; init; } = BootLimits.Default;

    /// <summary>How the simulated OS behaves unless a boot says otherwise.</summary>
    public OsHealth OsHealth { get; init; } = OsHealth.Healthy;

    /// <summary>Reads and validates <paramref name="path"/>; throws <see cref="BoardException"/> naming the bad field.</summary>
    public static BoardConfig Load(string path)
    {
        FileInfo info = new(path);
        if (!info.Exists)
        {
            throw new BoardException($"{path}: not found (a board directory holds board.json, disk.img and rpmb.bin; make one with 'board create')");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new BoardException($"{path}: {info.Length} bytes, more than the {MaxFileBytes} a board.json may have");
        }

        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses board.json bytes; <paramref name="source"/> names them in errors.</summary>
    public static BoardConfig Parse(ReadOnlySpan<byte> json, string source = "board.json")
    {
        if (json.Length > MaxFileBytes)
        {
            throw new BoardException($"{source}: {json.Length} bytes, more than the {MaxFileBytes} a board.json may have");
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new BoardException(OneLine($"{source}: not valid JSON ({e.Message})"), e);
        }

        using (document)
        {
            try
            {
                return FromJson(document.RootElement);
            }
            catch (BoardFieldException e)
            {
                throw new BoardException(OneLine($"{source}: field '{e.Field}': {e.Message}"), e);
            }
            catch (InvalidOperationException e)
            {
                // A string the JSON reader accepted but cannot decode (a lone surrogate escape).
                throw new BoardException(OneLine($"{source}: a value cannot be decoded ({e.Message})"), e);
            }
        }
    }

    /// <summary>The board.json bytes, indented UTF-8.</summary>
    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", CurrentVersion);
            writer.WriteString("board_id", BoardId);
            writer.WriteString("profile", BoardLayout.ProfileName(Profile));
            writer.WriteStartArray("trusted_keys");
            foreach (TrustedKey key in TrustedKeys)
            {
                writer.WriteStartObject();
                writer.WriteString("key_id", key.KeyId);
                writer.WriteString("public_key", key.PublicKeyPem);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("recovery");
            writer.WriteStartArray("order");
            foreach (string source in Recovery.Order)
            {
                writer.WriteStringValue(source);
            }

            writer.WriteEndArray();
            if (Recovery.TftpServer is not null || Recovery.TftpFile is not null)
            {
                writer.WriteStartObject("tftp");
                writer.WriteString("server", Recovery.TftpServer);
                writer.WriteString("file", Recovery.TftpFile);
                writer.WriteEndObject();
            }

            if (Recovery.UsbPath is not null)
            {
                writer.WriteStartObject("usb");
                writer.WriteString("path", Recovery.UsbPath);
                writer.WriteEndObject();
            }

            if (Recovery.FilePath is not null)
            {
                writer.WriteStartObject("file");
                writer.WriteString("path", Recovery.FilePath);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteStartObject("boot_limits");
            writer.WriteNumber("max_tries", Limits.MaxTries);
            writer.WriteNumber("max_boots_before_recovery", Limits.MaxBootsBeforeRecovery);
            writer.WriteNumber("health_check_seconds", Limits.HealthCheckSeconds);
            writer.WriteEndObject();
            writer.WriteStartObject("simulation");
            writer.WriteString("os_health", OsHealth.ToString());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Checks every field's range; throws <see cref="BoardException"/> naming the first bad one.</summary>
    public void Validate()
    {
        try
        {
            CheckBoardId(BoardId);
            if (TrustedKeys.Count is 0 or > MaxTrustedKeys)
            {
                throw new BoardFieldException("trusted_keys", $"expected 1 to {MaxTrustedKeys} keys, found {TrustedKeys.Count}");
            }

            foreach (TrustedKey key in TrustedKeys)
            {
                CheckKey(key.KeyId, key.PublicKeyPem);
            }

            try
            {
                Limits.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new BoardFieldException("boot_limits." + Snake(e.ParamName), e.Message.Split(" (Parameter")[0]);
            }
        }
        catch (BoardFieldException e)
        {
            throw new BoardException($"board.json: field '{e.Field}': {e.Message}", e);
        }
    }

    private static string OneLine(string message) => string.Concat(message.Select(c => char.IsControl(c) ? ' ' : c));

    private static string Snake(string? name) =>
        string.IsNullOrEmpty(name) ? "" : string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static BoardConfig FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException("(root)", $"expected an object, found {root.ValueKind}");
        }

        string format = String(root, "format", MaxTextLength);
        if (format != FormatName)
        {
            throw new BoardFieldException("format", $"expected '{FormatName}', found '{format}'");
        }

        int version = Int(root, "version", 1, int.MaxValue);
        if (version != CurrentVersion)
        {
            throw new BoardFieldException("version", $"expected {CurrentVersion}, found {version}");
        }

        string boardId = String(root, "board_id", MaxBoardIdLength);
        CheckBoardId(boardId);
        string profileText = String(root, "profile", 16);
        if (!BoardLayout.TryParseProfile(profileText, out BoardProfile profile))
        {
            throw new BoardFieldException("profile", $"expected 'ab' or 'single', found '{profileText}'");
        }

        JsonElement keysElement = Property(root, "trusted_keys", JsonValueKind.Array);
        int count = keysElement.GetArrayLength();
        if (count is 0 or > MaxTrustedKeys)
        {
            throw new BoardFieldException("trusted_keys", $"expected 1 to {MaxTrustedKeys} keys, found {count}");
        }

        var keys = new List<TrustedKey>(count);
        int index = 0;
        foreach (JsonElement keyElement in keysElement.EnumerateArray())
        {
            string at = $"trusted_keys[{index++}]";
            if (keyElement.ValueKind != JsonValueKind.Object)
            {
                throw new BoardFieldException(at, $"expected an object, found {keyElement.ValueKind}");
            }

            string keyId = Nested(at, () => String(keyElement, "key_id", 64));
            string pem = Nested(at, () => String(keyElement, "public_key", MaxPemLength));
            Nested(at, () => { CheckKey(keyId, pem); return 0; });
            keys.Add(new TrustedKey(keyId, pem));
        }

        RecoveryConfig recovery = root.TryGetProperty("recovery", out JsonElement recoveryElement)
            ? ParseRecovery(recoveryElement) : RecoveryConfig.Default;
        BootLimits limits = BootLimits.Default;
        if (root.TryGetProperty("boot_limits", out JsonElement limitsElement))
        {
            if (limitsElement.ValueKind != JsonValueKind.Object)
            {
                throw new BoardFieldException("boot_limits", $"expected an object, found {limitsElement.ValueKind}");
            }

            limits = new BootLimits(
                Nested("boot_limits", () => Int(limitsElement, "max_tries", 1, Control.SlotState.MaxTries)),
                Nested("boot_limits", () => Int(limitsElement, "max_boots_before_recovery", 1, BootLimits.MaxBootLimit)),
                Nested("boot_limits", () => Int(limitsElement, "health_check_seconds", 0, BootLimits.MaxHealthCheckSeconds)));
        }

        OsHealth health = OsHealth.Healthy;
        if (root.TryGetProperty("simulation", out JsonElement simulation))
        {
            if (simulation.ValueKind != JsonValueKind.Object)
            {
                throw new BoardFieldException("simulation", $"expected an object, found {simulation.ValueKind}");
            }

            string text = Nested("simulation", () => String(simulation, "os_health", 64));
            if (!OsHealth.TryParse(text, out health))
            {
                throw new BoardFieldException("simulation.os_health", $"expected healthy, hang or crash-after=N, found '{text}'");
            }
        }

        return new BoardConfig { BoardId = boardId, Profile = profile, TrustedKeys = keys, Recovery = recovery, Limits = limits, OsHealth = health };
    }

    private static RecoveryConfig ParseRecovery(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException("recovery", $"expected an object, found {element.ValueKind}");
        }

        var order = new List<string>();
        if (element.TryGetProperty("order", out JsonElement orderElement))
        {
            if (orderElement.ValueKind != JsonValueKind.Array || orderElement.GetArrayLength() > RecoveryConfig.SourceNames.Count)
            {
                throw new BoardFieldException("recovery.order", $"expected an array of at most {RecoveryConfig.SourceNames.Count} of tftp, usb, file");
            }

            foreach (JsonElement item in orderElement.EnumerateArray())
            {
                string? name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                if (name is null || !RecoveryConfig.SourceNames.Contains(name) || order.Contains(name))
                {
                    throw new BoardFieldException("recovery.order", $"expected distinct names among tftp, usb, file, found '{item}'");
                }

                order.Add(name);
            }
        }

        string? server = null, file = null, usb = null, local = null;
        if (element.TryGetProperty("tftp", out JsonElement tftp) && tftp.ValueKind != JsonValueKind.Null)
        {
            server = Nested("recovery.tftp", () => OptionalString(tftp, "server"));
            file = Nested("recovery.tftp", () => OptionalString(tftp, "file"));
        }

        if (element.TryGetProperty("usb", out JsonElement usbElement) && usbElement.ValueKind != JsonValueKind.Null)
        {
            usb = Nested("recovery.usb", () => OptionalString(usbElement, "path"));
        }

        if (element.TryGetProperty("file", out JsonElement fileElement) && fileElement.ValueKind != JsonValueKind.Null)
        {
            local = Nested("recovery.file", () => OptionalString(fileElement, "path"));
        }

        return new RecoveryConfig(order, server, file, usb, local);
    }

    private static void CheckBoardId(string? boardId)
    {
        if (string.IsNullOrEmpty(boardId) || boardId.Length > MaxBoardIdLength || boardId.Any(c => c is < '!' or > '~'))
        {
            throw new BoardFieldException("board_id", $"expected 1 to {MaxBoardIdLength} printable ASCII characters without spaces, found '{boardId}'");
        }
    }

    private static void CheckKey(string keyId, string pem)
    {
        if (keyId.Length != 32 || !keyId.All(char.IsAsciiHexDigitLower))
        {
            throw new BoardFieldException("key_id", $"expected 32 lowercase hex digits, found '{keyId}'");
        }

        if (pem.Length > MaxPemLength || !pem.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
        {
            throw new BoardFieldException("public_key", $"expected a PEM PUBLIC KEY block of at most {MaxPemLength} characters");
        }
    }

    private static T Nested<T>(string parent, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (BoardFieldException e)
        {
            throw new BoardFieldException(parent + "." + e.Field, e.Message);
        }
    }

    private static JsonElement Property(JsonElement parent, string name, JsonValueKind kind)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException(name, $"expected inside an object, found {parent.ValueKind}");
        }

        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            throw new BoardFieldException(name, "missing");
        }

        if (value.ValueKind != kind)
        {
            throw new BoardFieldException(name, $"expected {kind}, found {value.ValueKind}");
        }

        return value;
    }

    private static string String(JsonElement parent, string name, int maxLength)
    {
        string value = Property(parent, name, JsonValueKind.String).GetString()!;
        if (value.Length > maxLength)
        {
            throw new BoardFieldException(name, $"{value.Length} characters, more than {maxLength}");
        }

        return value;
    }

    private static string? OptionalString(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object)
        {
            throw new BoardFieldException(name, $"expected inside an object, found {parent.ValueKind}");
        }

        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return String(parent, name, MaxTextLength);
    }

    private static int Int(JsonElement parent, string name, int min, int max)
    {
        JsonElement value = Property(parent, name, JsonValueKind.Number);
        if (!value.TryGetInt32(out int number) || number < min || number > max)
        {
            throw new BoardFieldException(name, $"expected an integer from {min} to {max}, found {value.GetRawText()}");
        }

        return number;
    }

    /// <summary>A bad field while parsing; turned into one <see cref="BoardException"/> line.</summary>
    private sealed class BoardFieldException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }
}
