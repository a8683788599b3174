// Demo portal logic: gets the unit's certificate through the extension (either page API),
// signs the form with the token, and posts it to the demo server, which verifies it.
(() => {
  const $ = (id) => document.getElementById(id);
  const flow = document.body.dataset.flow;
  const certificates = new Map(); // id → {der (base64), label}
  let tokenSigningCertificate = null; // {hex} from TokenSigning.getCertificate

  const hexToBase64 = (hex) => btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))));
  const bytesToBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

  function show(status, code, text) {
    const result = $("result");
    result.dataset.status = status;
    result.dataset.code = code ?? "";
    result.textContent = text;
  }

  function showError(error) {
    const code = error?.code ?? error?.message ?? "error";
    const lines = [`Lỗi (${code}): ${error?.detail ?? error?.message ?? ""}`];
    if (error?.hint) lines.push(`Cách xử lý: ${error.hint}`);
    if (error?.detail) lines.push(`(TokenSigning: ${error.message})`);
    show("error", code, lines.join("\n"));
  }

  async function detectExtension() {
    const state = $("extension-state");
    if (window.vssTokenSigning === undefined) {
      document.body.dataset.extension = "absent";
      state.textContent = "Chưa có tiện ích VSS Token Signing trên trình duyệt này.";
      return;
    }
    document.body.dataset.extension = "present";
    try {
      const version = await window.vssTokenSigning.version();
      document.body.dataset.agent = "present";
      state.textContent = `Tiện ích ${version.extension} · phần mềm ký số ${version.agent}`;
    } catch (error) {
      document.body.dataset.agent = error.code;
      state.textContent = `${error.message} ${error.hint ?? ""}`;
    }
  }

  function label(certificate) {
    const mst = certificate.identity?.mst ?? "không có MST";
    const expiry = certificate.valid_now ? `còn ${certificate.expires_in_days} ngày` : "HẾT HẠN / chưa hiệu lực";
    return `${certificate.holder ?? certificate.subject} — MST ${mst} — ${expiry} — ${certificate.token?.label ?? ""}`;
  }

  async function loadCertificates() {
    const select = $("certificate");
    select.replaceChildren();
    certificates.clear();
    tokenSigningCertificate = null;
    const mst = $("mst").value.trim();
    if ($("api").value === "TokenSigning") {
      const cert = await new window.TokenSigning().getCertificate({ lang: "vi", filter: { mst } });
      tokenSigningCertificate = cert;
      select.append(new Option(`Chứng thư do tiện ích chọn (${cert.hex.length / 2} byte)`, "tokensigning"));
      return;
    }
    const { certificates: list } = await window.vssTokenSigning.listCertificates({ mst, includeExpired: true });
    for (const certificate of list) {
      certificates.set(certificate.id, certificate);
      select.append(new Option(label(certificate), certificate.id));
    }
    const best = list.filter((c) => c.valid_now).sort((a, b) => b.not_after.localeCompare(a.not_after))[0];
    if (best) select.value = best.id;
  }

  async function sha256(text) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  }

  async function sign(documentText) {
    const hash = await sha256(documentText);
    const title = flow === "change-certificate" ? "Thay đổi thông tin chứng thư số (DEMO)" : "Đăng ký giao dịch điện tử (DEMO)";
    const mst = $("mst").value.trim();
    if ($("api").value === "TokenSigning") {
      const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
      const signature = await new window.TokenSigning().sign(tokenSigningCertificate, { type: "SHA-256", hex }, { lang: "vi", info: title, mst });
      return { certificate: hexToBase64(tokenSigningCertificate.hex), signature: hexToBase64(signature.hex) };
    }
    const id = $("certificate").value;
    const result = await window.vssTokenSigning.signHash({
      certificate: id,
      hash: bytesToBase64(hash),
      hashAlgorithm: "SHA-256",
      document: { title, description: `${$("unitName").value} — MST ${mst}` },
      mst,
    });
    return { certificate: result.certificate ?? certificates.get(id).der, signature: result.signature };
  }

  async function submit(event) {
    event.preventDefault();
    if (!$("commit").checked) return show("error", "commit", "Hãy tích vào ô cam kết trước khi gửi.");
    show("busy", "", "Đang ký số — hãy nhập mã PIN trong cửa sổ của phần mềm ký số…");
    try {
      if ($("certificate").value === "" || ($("api").value === "TokenSigning") !== (tokenSigningCertificate !== null)) {
        await loadCertificates();
      }
      const form = { flow, unitName: $("unitName").value.trim(), mst: $("mst").value.trim(), email: $("email").value.trim(), time: new Date().toISOString() };
      const documentText = JSON.stringify(form);
      const started = performance.now();
      const signed = await sign(documentText);
      $("result").dataset.signMs = String(Math.round(performance.now() - started));
      const response = await fetch("/api/submit", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ document: documentText, hashAlgorithm: "SHA-256", api: $("api").value, ...signed }),
      });
      const verdict = await response.json();
      if (verdict.ok) {
        const what = verdict.verdict === "certificate_changed"
          ? `Thay đổi thông tin thành công: chứng thư số mới (số sê-ri ${verdict.serial}) thay cho chứng thư cũ (${verdict.previousSerial}).`
          : `Đăng ký thành công cho đơn vị MST ${verdict.mst}. Chứng thư số ${verdict.holder} (số sê-ri ${verdict.serial}).`;
        show("ok", verdict.verdict, `${what}\nMáy chủ DEMO đã kiểm tra chữ ký và mã số thuế.`);
        if ($("registered")) $("registered").textContent = `Chứng thư số đã đăng ký: số sê-ri ${verdict.serial}`;
      } else {
        show("error", verdict.reason, `Máy chủ từ chối (${verdict.reason}): ${verdict.detail}`);
      }
    } catch (error) {
      showError(error);
    }
  }

  if ($("form")) {
    $("form").addEventListener("submit", submit);
    $("load-certificates").addEventListener("click", () => loadCertificates().catch(showError));
    $("api").addEventListener("change", () => {
      $("certificate").replaceChildren(new Option('— Bấm "Chọn chứng thư số" —', ""));
      tokenSigningCertificate = null;
    });
  }
  detectExtension();
})();
