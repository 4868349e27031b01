/**
 * A minimal WebM (Matroska) muxer for one VP8 video track: EBML header, then a Segment with a
 * SeekHead, Info (with Duration), Tracks, Cues, and one Cluster per key frame. Cues come before the
 * clusters, so a player learns every seek point from the first bytes and a seek far into the file
 * is one Range request from that point (nothing at the end of the file is read up front).
 */

export interface EncodedFrame {
  /** Presentation time in microseconds. */
  timestampUs: number;
  key: boolean;
  data: Buffer;
}

export interface WebmOptions {
  width: number;
  height: number;
  durationMs: number;
  frames: EncodedFrame[];
}

const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Seek: 0x4dbb,
  SeekID: 0x53ab,
  SeekPosition: 0x53ac,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
} as const;

function idBytes(id: number): Buffer {
  const bytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes);
}

/** An element size as an 8-byte EBML variable-length integer (fixed width keeps offsets simple). */
function sizeBytes(size: number): Buffer {
  const out = Buffer.alloc(8);
  out[0] = 0x01;
  out.writeUIntBE(size, 2, 6);
  return out;
}

function element(id: number, ...children: Buffer[]): Buffer {
  const body = Buffer.concat(children);
  return Buffer.concat([idBytes(id), sizeBytes(body.length), body]);
}

/** An unsigned integer in 8 bytes (so that an element's size does not depend on its value). */
function uint(id: number, value: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeBigUInt64BE(BigInt(value));
  return element(id, body);
}

function float(id: number, value: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeDoubleBE(value);
  return element(id, body);
}

function text(id: number, value: string): Buffer {
  return element(id, Buffer.from(value, 'utf8'));
}

function simpleBlock(frame: EncodedFrame, clusterMs: number): Buffer {
  const header = Buffer.alloc(4);
  header[0] = 0x81; // track 1, as a one-byte vint
  header.writeInt16BE(Math.round(frame.timestampUs / 1000) - clusterMs, 1);
  header[3] = frame.key ? 0x80 : 0x00;
  return element(ID.SimpleBlock, header, frame.data);
}

export function muxWebm(options: WebmOptions): Buffer {
  const { frames } = options;
  if (!frames[0]?.key) throw new Error('the first frame must be a key frame');

  // One cluster per key frame: its blocks' relative times stay small and every cluster is a seek point.
  const clusters: { ms: number; bytes: Buffer }[] = [];
  let group: EncodedFrame[] = [];
  const flush = () => {
    const ms = Math.round(group[0]!.timestampUs / 1000);
    const blocks = group.map((f) => simpleBlock(f, ms));
    clusters.push({ ms, bytes: element(ID.Cluster, uint(ID.Timecode, ms), ...blocks) });
  };
  for (const frame of frames) {
    if (frame.key && group.length > 0) {
      flush();
      group = [];
    }
    group.push(frame);
  }
  flush();

  const info = element(
    ID.Info,
    uint(ID.TimecodeScale, 1_000_000),
    float(ID.Duration, options.durationMs),
    text(ID.MuxingApp, 'hubdrive-test'),
    text(ID.WritingApp, 'hubdrive-test'),
  );
  const tracks = element(
    ID.Tracks,
    element(
      ID.TrackEntry,
      uint(ID.TrackNumber, 1),
      uint(ID.TrackUID, 1),
      uint(ID.TrackType, 1),
      uint(ID.FlagLacing, 0),
      text(ID.CodecID, 'V_VP8'),
      element(ID.Video, uint(ID.PixelWidth, options.width), uint(ID.PixelHeight, options.height)),
    ),
  );
  const cues = (positions: number[]) =>
    element(
      ID.Cues,
      ...clusters.map((cluster, i) =>
        element(
          ID.CuePoint,
          uint(ID.CueTime, cluster.ms),
          element(ID.CueTrackPositions, uint(ID.CueTrack, 1), uint(ID.CueClusterPosition, positions[i] ?? 0)),
        ),
      ),
    );
  const seekHead = (at: { info: number; tracks: number; cues: number }) =>
    element(
      ID.SeekHead,
      ...(
        [
          [ID.Info, at.info],
          [ID.Tracks, at.tracks],
          [ID.Cues, at.cues],
        ] as const
      ).map(([id, position]) =>
        element(ID.Seek, element(ID.SeekID, idBytes(id)), uint(ID.SeekPosition, position)),
      ),
    );

  // Positions are relative to the start of the Segment's data; every size above is fixed-width,
  // so a first pass with zeros measures the layout.
  const seekSize = seekHead({ info: 0, tracks: 0, cues: 0 }).length;
  const cuesSize = cues([]).length;
  const infoAt = seekSize;
  const tracksAt = infoAt + info.length;
  const cuesAt = tracksAt + tracks.length;
  let at = cuesAt + cuesSize;
  const positions = clusters.map((cluster) => {
    const position = at;
    at += cluster.bytes.length;
    return position;
  });

  const header = element(
    ID.EBML,
    uint(ID.EBMLVersion, 1),
    uint(ID.EBMLReadVersion, 1),
    uint(ID.EBMLMaxIDLength, 4),
    uint(ID.EBMLMaxSizeLength, 8),
    text(ID.DocType, 'webm'),
    uint(ID.DocTypeVersion, 2),
    uint(ID.DocTypeReadVersion, 2),
  );
  const segment = element(
    ID.Segment,
    seekHead({ info: infoAt, tracks: tracksAt, cues: cuesAt }),
    info,
    tracks,
    cues(positions),
    ...clusters.map((c) => c.bytes),
  );
  return Buffer.concat([header, segment]);
}
