/** Building request bodies for inject(): multipart/form-data with text fields and files, as browsers send it. */
export interface MultipartFile {
  field: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

export function multipartBody(fields: Record<string, unknown>, files: MultipartFile[] = []) {
  const boundary = `----spotvibe${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`));
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`,
      ),
      f.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** One file and nothing else (a photo upload). */
export function multipart(field: string, filename: string, contentType: string, content: Buffer) {
  return multipartBody({}, [{ field, filename, contentType, content }]);
}

/**
 * A POST as DRF's test client sends it by default (`APIClient.post(url, data)`: multipart/form-data, every value
 * as text), what the manual's own tests do.
 */
export function drfPost(
  app: { inject: (o: object) => Promise<{ statusCode: number; json(): unknown; body: string }> },
  url: string,
  data: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const body = multipartBody(data);
  return app.inject({ method: 'POST', url, headers: { ...headers, ...body.headers }, payload: body.payload });
}
