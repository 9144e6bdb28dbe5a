/** QR codes of a ticket payload, as SVG (screens, scalable) and PNG (PDF, apps, e-mail). */
import QRCode from 'qrcode';

// Level M survives a scuffed phone screen or a creased printout (~15% damage) and keeps a ~170-character
// payload at a size door scanners read easily.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export async function qrSvg(payload: string): Promise<string> {
  return QRCode.toString(payload, { ...OPTIONS, type: 'svg', color: { dark: '#000000', light: '#ffffff' } });
}

export async function qrPng(payload: string, width = 512): Promise<Buffer> {
  return QRCode.toBuffer(payload, { ...OPTIONS, type: 'png', width });
}
