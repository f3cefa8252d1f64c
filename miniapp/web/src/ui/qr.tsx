// A QR code as an SVG path, drawn from qrcode-generator's module matrix.
import qrcode from "qrcode-generator";
import { useMemo } from "react";

export function QrCode({
  text,
  size = 160,
  label,
}: {
  text: string;
  size?: number;
  label: string;
}) {
  const { path, count } = useMemo(() => {
    const qr = qrcode(0, "M");
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount();
    let d = "";
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        if (qr.isDark(row, col)) d += `M${col + 2},${row + 2}h1v1h-1z`;
      }
    }
    return { path: d, count: n };
  }, [text]);
  const box = count + 4;
  return (
    <svg
      className="qr"
      width={size}
      height={size}
      viewBox={`0 0 ${box} ${box}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      <rect width={box} height={box} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
