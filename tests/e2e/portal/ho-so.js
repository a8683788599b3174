// Demo "Nộp hồ sơ" page: builds a TK1-TS dossier (XML) from the form, has the unit's token sign
// it through window.vssTokenSigning.signXml (an enveloped XMLDSig in <Cky>), and posts the signed
// XML to the demo server, which verifies it with xmlsec1 and checks the signer's tax code.
(() => {
  const $ = (id) => document.getElementById(id);
  const FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"];
  const MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Thanh"];
  const GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương", "Quân", "Sơn", "Trang", "Yến"];

  const escapeXml = (text) => String(text).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);

  /** One employee row of the declaration (made-up, deterministic data). */
  function person(i) {
    const name = `${FAMILY[i % FAMILY.length]} ${MIDDLE[(i >> 3) % MIDDLE.length]} ${GIVEN[(i * 7) % GIVEN.length]}`;
    const code = String(7900000000 + i).padStart(10, "0");
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((i % 12) + 1).padStart(2, "0");
    return [
      `  <NguoiKhai STT="${i + 1}">`,
      `    <HoTen>${escapeXml(name)}</HoTen>`,
      `    <MaSoBHXH>${code}</MaSoBHXH>`,
      `    <NgaySinh>${1970 + (i % 35)}-${month}-${day}</NgaySinh>`,
      `    <GioiTinh>${i % 2 === 0 ? "Nữ" : "Nam"}</GioiTinh>`,
      "    <QuocTich>Việt Nam</QuocTich>",
      "    <DanToc>Kinh</DanToc>",
      `    <SoCCCD>0791${String(90000000 + i).padStart(8, "0")}</SoCCCD>`,
      "    <DiaChi>",
      `      <SoNha>Số ${(i % 300) + 1}, đường Nguyễn Thị Minh Khai</SoNha>`,
      "      <PhuongXa>Phường Bến Thành</PhuongXa>",
      "      <TinhTP>Thành phố Hồ Chí Minh</TinhTP>",
      "    </DiaChi>",
      `    <MucLuong>${(5000000 + (i % 50) * 250000).toString()}</MucLuong>`,
      "    <NoiDungThayDoi>Tham gia mới &amp; cấp thẻ BHYT</NoiDungThayDoi>",
      "  </NguoiKhai>",
    ].join("\n");
  }

  /** A TK1-TS dossier for the unit in the form, with `people` employee rows. */
  function buildTk1Ts({ unitName, mst, maDvi, period, people }) {
    const rows = [];
    for (let i = 0; i < people; i++) rows.push(person(i));
    return [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<TK1-TS xmlns="http://ivan.baohiemxahoi.gov.vn/hoso/TK1-TS" PhienBan="2.0">',
      "  <ThongTinChung>",
      "    <MaThuTuc>TK1-TS</MaThuTuc>",
      "    <TenThuTuc>Tờ khai tham gia, điều chỉnh thông tin bảo hiểm xã hội, bảo hiểm y tế</TenThuTuc>",
      `    <TenDoiTuong>${escapeXml(unitName)}</TenDoiTuong>`,
      `    <MaSoThue>${escapeXml(mst)}</MaSoThue>`,
      `    <MaDVi>${escapeXml(maDvi)}</MaDVi>`,
      `    <KyKeKhai>${escapeXml(period)}</KyKeKhai>`,
      `    <NgayLap>${new Date().toISOString().slice(0, 10)}</NgayLap>`,
      "  </ThongTinChung>",
      ...rows,
      "  <Cky></Cky>",
      "</TK1-TS>",
      "",
    ].join("\n");
  }

  function show(status, code, text) {
    const result = $("result");
    result.dataset.status = status;
    result.dataset.code = code ?? "";
    result.textContent = text;
  }

  async function loadCertificates() {
    // Every valid certificate: the extension's agent itself refuses one of another unit.
    const { certificates } = await window.vssTokenSigning.listCertificates({});
    const select = $("certificate");
    select.replaceChildren();
    for (const c of certificates) {
      select.append(new Option(`${c.holder ?? c.subject} — MST ${c.identity?.mst ?? "không có"} — còn ${c.expires_in_days} ngày`, c.id));
    }
    const mst = $("mst").value.trim();
    const best = certificates.find((c) => c.identity?.mst === mst);
    if (best) select.value = best.id;
  }

  /** Signs `xml` with the chosen certificate and posts it; shows the server's verdict. */
  async function signAndSubmit(xml) {
    const result = $("result");
    for (const key of ["signMs", "xmlBytes", "signedBytes"]) delete result.dataset[key];
    show("busy", "", "Đang ký hồ sơ — hãy nhập mã PIN trong cửa sổ của phần mềm ký số…");
    try {
      if ($("certificate").value === "") await loadCertificates();
      const started = performance.now();
      const signed = await window.vssTokenSigning.signXml({
        certificate: $("certificate").value,
        xml,
        parent: "Cky",
        document: { title: "Nộp hồ sơ TK1-TS (DEMO)", description: `${$("unitName").value.trim()} — kỳ ${$("period").value.trim()}` },
      });
      result.dataset.signMs = String(Math.round(performance.now() - started));
      result.dataset.xmlBytes = String(new TextEncoder().encode(xml).length);
      result.dataset.signedBytes = String(new TextEncoder().encode(signed.xml).length);
      const response = await fetch("/api/submit-xml", { method: "POST", headers: { "content-type": "application/xml; charset=utf-8" }, body: signed.xml });
      const verdict = await response.json();
      if (verdict.ok) {
        show("ok", verdict.verdict, `Nộp hồ sơ ${verdict.form} thành công cho đơn vị MST ${verdict.mst}. Người ký: ${verdict.holder}.\nMáy chủ DEMO đã kiểm tra chữ ký XML (xmlsec1) và mã số thuế.`);
      } else {
        show("error", verdict.reason, `Máy chủ từ chối (${verdict.reason}): ${verdict.detail}`);
      }
    } catch (error) {
      const lines = [`Lỗi (${error?.code ?? "error"}): ${error?.message ?? ""}`];
      if (error?.hint) lines.push(`Cách xử lý: ${error.hint}`);
      show("error", error?.code ?? "error", lines.join("\n"));
    }
  }

  function formDossier() {
    return buildTk1Ts({
      unitName: $("unitName").value.trim(),
      mst: $("mst").value.trim(),
      maDvi: $("maDvi").value.trim(),
      period: $("period").value.trim(),
      people: Math.max(1, Number.parseInt($("people").value, 10) || 1),
    });
  }

  $("dossier-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signAndSubmit(formDossier());
  });
  $("load-certificates").addEventListener("click", () => loadCertificates().catch((e) => show("error", e.code, e.message)));
  // For the tests: sign an XML text the form did not build (e.g. one with a DOCTYPE).
  window.demoDossier = { build: formDossier, signAndSubmit };
})();
