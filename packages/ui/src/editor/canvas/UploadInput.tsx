import { useEffect, useRef, useState } from 'react';
import { useServices } from '../services/EditorContext';

/** An uploaded image's id, with a button that uploads a new one (content-addressed: sha256), and the picture itself. */
export function UploadInput({ value, onCommit }: { value: string; onCommit(v: unknown): void }) {
  const { uploadImage, notify } = useServices();
  const file = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const preview = useUploadPreview(value);
  return (
    <>
      <div className="param-upload">
        <input
          className="nodrag param-text"
          type="text"
          value={value}
          placeholder="upload an image"
          onChange={(e) => onCommit(e.target.value)}
          title={value}
        />
        <button type="button" className="nodrag" disabled={busy} onClick={() => file.current?.click()}>
          {busy ? '…' : 'Upload'}
        </button>
        <input
          ref={file}
          type="file"
          hidden
          accept="image/png,image/jpeg,image/webp"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (!f) return;
            setBusy(true);
            uploadImage(f)
              .then(
                (id) => onCommit(id),
                (err: Error) => notify('error', `Upload of ${f.name} failed: ${err.message}`, 'upload-failed'),
              )
              .finally(() => setBusy(false));
          }}
        />
      </div>
      {preview && (
        <img className="param-upload-preview" src={preview} alt="the uploaded picture" data-testid="upload-preview" />
      )}
    </>
  );
}

/** The picture an upload id names, shown under the field (ComfyUI's Load image shows it). */
function useUploadPreview(id: string): string | undefined {
  const { uploadPreview } = useServices();
  const [shown, setShown] = useState<{ id: string; url: string | undefined }>();
  useEffect(() => {
    if (!/^[0-9a-f]{64}$/.test(id)) return;
    let live = true;
    void uploadPreview(id).then((url) => live && setShown({ id, url }));
    return () => {
      live = false;
    };
  }, [id, uploadPreview]);
  return shown?.id === id ? shown.url : undefined;
}
