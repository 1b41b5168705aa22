using System.Text;

namespace RecoverySim.BlockDevice.Fat;

/// <summary>
/// The 8.3 name stored for a long name (fatgen103 section 7, "The Basis-Name Generation
/// Algorithm"), and whether a long-name entry is needed beside it. One file per directory is all
/// <see cref="FatFormatter"/> writes, so the numeric tail is always "~1".
/// </summary>
internal static class FatShortName
{
    private const string Allowed = "!#$%&'()-@^_`{}~";

    /// <summary>
    /// The 11-byte DIR_Name for <paramref name="name"/>, its DIR_NTRes case flags, and whether the
    /// name needs VFAT long-name entries: not when it is a valid 8.3 name in upper case, or with
    /// base and extension each wholly in lower case (the NT flags say so).
    /// </summary>
    public static (string ShortName, byte NtFlags, bool NeedsLongName) For(string name)
    {
        int dot = name.LastIndexOf('.');
        string basePart = dot < 0 ? name : name[..dot];
        string extension = dot < 0 ? string.Empty : name[(dot + 1)..];
        if (basePart.Length is >= 1 and <= 8 && extension.Length <= 3 && (dot < 0 || extension.Length > 0)
            && basePart.All(IsShortChar) && extension.All(IsShortChar))
        {
            bool? baseLower = Case(basePart);
            bool? extensionLower = Case(extension);
            if (baseLower is not null && extensionLower is not null)
            {
                byte flags = (byte)((baseLower == true ? FatDirectoryEntry.LowerCaseBaseFlag : 0) | (extensionLower == true ? FatDirectoryEntry.LowerCaseExtensionFlag : 0));
                return (Pad(basePart.ToUpperInvariant(), extension.ToUpperInvariant()), flags, false);
            }
        }

        // Basis name: upper case, spaces and leading dots dropped, other invalid characters '_'.
        bool lossy = dot == 0;
        string Clean(string part)
        {
            var builder = new StringBuilder(part.Length);
            foreach (char c in part.ToUpperInvariant())
            {
                if (c == ' ' || c == '.')
                {
                    lossy = true;
                }
                else if (IsShortChar(c))
                {
                    builder.Append(c);
                }
                else
                {
                    builder.Append('_');
                    lossy = true;
                }
            }

            return builder.ToString();
        }

        string cleanBase = Clean(dot <= 0 ? name.TrimStart('.') : basePart);
        string cleanExtension = dot <= 0 ? string.Empty : Clean(extension);
        if (cleanBase.Length > 8 || cleanExtension.Length > 3 || cleanBase.Length == 0)
        {
            lossy = true;
        }

        if (cleanBase.Length == 0)
        {
            cleanBase = "_";
        }

        string shortExtension = cleanExtension.Length > 3 ? cleanExtension[..3] : cleanExtension;
        string shortBase = lossy ? (cleanBase.Length > 6 ? cleanBase[..6] : cleanBase) + "~1" : cleanBase;
        return (Pad(shortBase, shortExtension), 0, true);
    }

    /// <summary>Null for mixed case; true when every letter is lower case; false when every letter is upper case (or there is none).</summary>
    private static bool? Case(string part)
    {
        bool lower = part.Any(char.IsAsciiLetterLower);
        bool upper = part.Any(char.IsAsciiLetterUpper);
        return lower && upper ? null : lower;
    }

    private static bool IsShortChar(char c) => char.IsAsciiLetterOrDigit(c) || Allowed.Contains(c);

    private static string Pad(string basePart, string extension) => basePart.PadRight(8) + extension.PadRight(3);
}
