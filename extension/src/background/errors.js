// Errors the extension itself raises (the agent's own errors arrive already localised), with
// their Vietnamese and English message and hint, and the mapping of every code to the
// chrome-token-signing error names that window.TokenSigning rejects with.

import { DEFAULT_LANGUAGE } from "../config.js";

const TEXT = {
  native_unavailable: {
    vi: [
      "Chưa cài đặt phần mềm ký số VSS Token Signing (vss-agent) trên máy tính này.",
      "Hãy tải và cài đặt bộ cài VSS Token Signing cho Windows (hoặc gói .deb cho Linux), sau đó đóng hẳn trình duyệt và mở lại. Nếu đã cài, chạy \"vss install-host\" để đăng ký lại với trình duyệt.",
    ],
    en: [
      "The VSS Token Signing agent (vss-agent) is not installed on this computer.",
      "Download and install the VSS Token Signing installer for Windows (or the .deb package on Linux), then quit and reopen the browser. If it is installed, run \"vss install-host\" to register it with the browser again.",
    ],
  },
  native_disconnected: {
    vi: [
      "Phần mềm ký số đã dừng trong khi đang xử lý yêu cầu.",
      "Hãy thực hiện lại thao tác. Nếu lỗi lặp lại, rút USB Token ra, cắm lại rồi thử lần nữa.",
    ],
    en: [
      "The signing agent stopped while handling the request.",
      "Try the operation again. If it keeps failing, unplug the USB token, plug it back in and retry.",
    ],
  },
  timeout: {
    vi: [
      "Phần mềm ký số không trả lời kịp thời.",
      "Hãy kiểm tra xem cửa sổ nhập mã PIN có đang mở phía sau trình duyệt không, rồi thực hiện lại.",
    ],
    en: [
      "The signing agent did not answer in time.",
      "Check whether the PIN window is open behind the browser, then try again.",
    ],
  },
  reply_corrupt: {
    vi: [
      "Câu trả lời từ phần mềm ký số bị lỗi khi truyền.",
      "Hãy thực hiện lại thao tác; nếu lỗi lặp lại, hãy cài lại phần mềm VSS Token Signing.",
    ],
    en: [
      "The signing agent's reply was damaged in transit.",
      "Try again; if it keeps happening, reinstall VSS Token Signing.",
    ],
  },
  bad_request: {
    vi: ["Trang web gửi yêu cầu ký không hợp lệ.", "Hãy báo lỗi cho đơn vị quản lý trang web."],
    en: ["The website sent an invalid signing request.", "Report the problem to the website's operator."],
  },
  unknown_command: {
    vi: ["Trang web yêu cầu một chức năng không có.", "Hãy báo lỗi cho đơn vị quản lý trang web."],
    en: ["The website asked for a function that does not exist.", "Report the problem to the website's operator."],
  },
  message_too_large: {
    vi: [
      "Tệp cần ký quá lớn để ký qua trình duyệt.",
      "Hãy ký tệp bằng lệnh \"vss sign-xml\" trên máy tính rồi nộp tệp đã ký.",
    ],
    en: [
      "The file is too large to be signed through the browser.",
      "Sign it with the \"vss sign-xml\" command on this computer, then upload the signed file.",
    ],
  },
  origin_not_allowed: {
    vi: [
      "Trang web này không được phép dùng chữ ký số qua VSS Token Signing.",
      "Chỉ dùng trên cổng https://gddt.baohiemxahoi.gov.vn hoặc trang do quản trị viên cho phép.",
    ],
    en: [
      "This website is not allowed to use digital signatures through VSS Token Signing.",
      "Use it on https://gddt.baohiemxahoi.gov.vn or a site your administrator allowed.",
    ],
  },
  insecure_origin: {
    vi: ["Trang web không dùng kết nối an toàn (https).", "Hãy mở cổng bằng địa chỉ bắt đầu bằng https://."],
    en: ["The website does not use a secure (https) connection.", "Open the portal with an address starting with https://."],
  },
  certificate_not_issued: {
    vi: [
      "Chứng thư số cần ký chưa được chọn trên trang này.",
      "Hãy tải lại trang và chọn lại chứng thư số trước khi ký.",
    ],
    en: [
      "The certificate to sign with was not chosen on this page.",
      "Reload the page and choose the certificate again before signing.",
    ],
  },
  no_certificates: {
    vi: [
      "Không tìm thấy chứng thư số phù hợp trên USB Token.",
      "Hãy cắm đúng USB Token của đơn vị và thử lại.",
    ],
    en: [
      "No suitable certificate was found on the USB token.",
      "Plug in your organisation's USB token and try again.",
    ],
  },
  hash_length_mismatch: {
    vi: ["Độ dài mã băm không khớp với thuật toán băm.", "Hãy báo lỗi cho đơn vị quản lý trang web."],
    en: ["The hash length does not match the hash algorithm.", "Report the problem to the website's operator."],
  },
  unsupported_algorithm: {
    vi: ["Thuật toán băm không được hỗ trợ.", "Hãy báo lỗi cho đơn vị quản lý trang web."],
    en: ["The hash algorithm is not supported.", "Report the problem to the website's operator."],
  },
  extension_unavailable: {
    vi: [
      "Tiện ích VSS Token Signing chưa sẵn sàng trên trang này.",
      "Hãy tải lại trang (F5). Nếu vẫn lỗi, kiểm tra tiện ích đã được bật trong chrome://extensions.",
    ],
    en: [
      "The VSS Token Signing extension is not ready on this page.",
      "Reload the page (F5). If it persists, check that the extension is enabled in chrome://extensions.",
    ],
  },
};

/** Codes the extension raises itself. */
export const EXTENSION_ERROR_CODES = Object.freeze(Object.keys(TEXT));

/** `{code, message, hint}` for an extension-side error in `lang` (vi by default). */
export function extensionError(code, lang, details) {
  const entry = TEXT[code] ?? TEXT.reply_corrupt;
  const [message, hint] = entry[lang] ?? entry[DEFAULT_LANGUAGE];
  const error = { code, message, hint };
  if (details !== undefined) error.details = details;
  return error;
}

/** chrome-token-signing error names (DESIGN §3) for every modern code. */
const LEGACY = {
  native_unavailable: "no_implementation",
  extension_unavailable: "no_implementation",
  user_cancelled: "user_cancel",
  user_timeout: "user_cancel",
  no_certificates: "no_certificates",
  no_token: "no_certificates",
  no_module: "no_certificates",
  certificate_not_found: "no_certificates",
  certificate_expired: "no_certificates",
  certificate_not_yet_valid: "no_certificates",
  bad_request: "invalid_argument",
  unknown_command: "invalid_argument",
  hash_length_mismatch: "invalid_argument",
  unsupported_algorithm: "invalid_argument",
  certificate_not_issued: "invalid_argument",
  message_too_large: "invalid_argument",
  identity_mismatch: "no_certificates",
  origin_not_allowed: "not_allowed",
  insecure_origin: "not_allowed",
  capability_denied: "not_allowed",
  pin_locked: "pin_blocked",
};

/** The TokenSigning error name for a modern error code. */
export function legacyErrorName(code) {
  return LEGACY[code] ?? "technical_error";
}
