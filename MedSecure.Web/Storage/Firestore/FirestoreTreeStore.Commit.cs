using System.Text.Json.Nodes;

namespace MedSecure.Web.Storage.Firestore;

public sealed partial class FirestoreTreeStore
{
    /// <summary>A stored document as read: its full name, fields (null when only the name was asked) and version.</summary>
    private sealed record StoredDocument(string Name, JsonObject? Fields, string UpdateTime);

    /// <summary>What a commit returned: each written document's new <c>updateTime</c>.</summary>
    private sealed record CommitResult(Dictionary<string, string> UpdateTimes);

    /// <summary>
    /// The writes of one commit, at most one per document (Firestore accepts more, but one keeps each
    /// document's precondition unambiguous).
    /// </summary>
    private sealed class Plan
    {
        private readonly List<DocumentWrite> _writes = [];
        private readonly Dictionary<string, DocumentWrite> _byName = new(StringComparer.Ordinal);

        public int Count => _writes.Count;

        public IEnumerable<string> FullWrites => _writes.Where(w => w.Full is not null).Select(w => w.Name);

        public IReadOnlyList<DocumentWrite> Writes => _writes;

        /// <summary>Replaces the whole document.</summary>
        public void AddFull(string name, JsonObject fields, JsonObject? precondition) =>
            Add(new DocumentWrite(name) { Full = fields, Precondition = precondition });

        /// <summary>Deletes the document; with <paramref name="onlyIfAbsent"/>, only when nothing else is planned for it.</summary>
        public void AddDelete(string name, JsonObject? precondition, bool onlyIfAbsent = false)
        {
            if (onlyIfAbsent && _byName.ContainsKey(name))
            {
                return;
            }

            Add(new DocumentWrite(name) { Delete = true, Precondition = precondition });
        }

        /// <summary>The document after a read-modify-write: replaced, or deleted when nothing is left.</summary>
        public void AddReplaced(string name, StoredDocument? read, JsonNode? tree)
        {
            var precondition = read is null ? Exists(false) : UpdateTime(read.UpdateTime);
            if (tree is not null)
            {
                AddFull(name, FirestoreValueCodec.EncodeDocument(tree), precondition);
            }
            else if (read is not null)
            {
                AddDelete(name, precondition);
            }
            else
            {
                // Nothing was there and nothing will be: no write, but keep the precondition so a
                // document created meanwhile is noticed when the caller required its absence.
                Require(name, precondition);
            }
        }

        /// <summary>A write without reading: the whole document, or fields through an update mask.</summary>
        public void AddBlind(string name, string[] fieldKeys, JsonNode? value, JsonObject? precondition)
        {
            if (fieldKeys.Length == 0)
            {
                if (value is null)
                {
                    AddDelete(name, precondition);
                }
                else
                {
                    AddFull(name, FirestoreValueCodec.EncodeDocument(value), precondition);
                }

                return;
            }

            if (!_byName.TryGetValue(name, out var write))
            {
                write = new DocumentWrite(name) { MaskFields = [], Mask = [FirestoreValueCodec.FieldPath([FirestoreValueCodec.ScalarField])] };
                Add(write);
            }

            write.Precondition ??= precondition;
            var names = fieldKeys.Select(FirestoreLayout.EscapeKey).ToArray();
            var fields = write.MaskFields!;
            for (var i = 0; i < names.Length - 1; i++)
            {
                if (fields[names[i]]?["mapValue"]?["fields"] is not JsonObject inner)
                {
                    inner = [];
                    fields[names[i]] = new JsonObject { ["mapValue"] = new JsonObject { ["fields"] = inner } };
                }

                fields = inner;
            }

            fields[names[^1]] = FirestoreValueCodec.EncodeValue(value!, names.Length);
            write.Mask!.Add(FirestoreValueCodec.FieldPath(names));
        }

        /// <summary>Makes the commit fail unless <paramref name="precondition"/> holds for the document.</summary>
        public void Require(string name, JsonObject precondition)
        {
            if (_byName.TryGetValue(name, out var write))
            {
                write.Precondition ??= precondition;
                return;
            }

            // A write that changes nothing but carries the precondition: deleting a missing document,
            // or an update with an empty mask of an existing one.
            Add(precondition.ContainsKey("exists")
                ? new DocumentWrite(name) { Delete = true, Precondition = precondition }
                : new DocumentWrite(name) { MaskFields = [], Mask = [], Precondition = precondition });
        }

        private void Add(DocumentWrite write)
        {
            if (!_byName.TryAdd(write.Name, write))
            {
                throw new InvalidOperationException("Two writes planned for one document.");
            }

            _writes.Add(write);
        }
    }

    /// <summary>One write of a commit.</summary>
    private sealed class DocumentWrite(string name)
    {
        public string Name { get; } = name;

        public bool Delete { get; init; }

        public JsonObject? Full { get; init; }

        public JsonObject? MaskFields { get; init; }

        public List<string>? Mask { get; init; }

        public JsonObject? Precondition { get; set; }

        public JsonObject ToJson()
        {
            var write = new JsonObject();
            if (Delete)
            {
                write["delete"] = Name;
            }
            else
            {
                write["update"] = new JsonObject { ["name"] = Name, ["fields"] = (Full ?? MaskFields)!.DeepClone() };
                if (Full is null)
                {
                    write["updateMask"] = new JsonObject { ["fieldPaths"] = new JsonArray([.. Mask!.Select(p => (JsonNode)p)]) };
                }
            }

            if (Precondition is not null)
            {
                write["currentDocument"] = Precondition.DeepClone();
            }

            return write;
        }
    }
}
