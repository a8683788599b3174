## Thông báo lỗi (err-<mã>) và hướng dẫn xử lý (hint-<mã>).

err-bad_request = Yêu cầu không hợp lệ: { $reason }
hint-bad_request = Đây là lỗi của trang web hoặc chương trình gọi công cụ ký. Hãy tải lại trang; nếu vẫn lỗi, báo cho đơn vị quản lý trang.
err-unknown_command = Lệnh "{ $command }" không được hỗ trợ.
hint-unknown_command = Hãy cập nhật VSS Token Signing lên phiên bản mới nhất, hoặc báo lỗi cho đơn vị quản lý trang.
err-message_too_large = Yêu cầu quá lớn ({ $size } byte; giới hạn { $limit }).
hint-message_too_large = Hãy ký các tệp hồ sơ lớn bằng lệnh "vss sign-xml" thay vì qua trình duyệt.
err-origin_not_allowed = Trang web { $origin } không được phép sử dụng thiết bị chữ ký số của bạn.
hint-origin_not_allowed = Chỉ Cổng dịch vụ công BHXH (baohiemxahoi.gov.vn) được dùng token. Nếu cần cho phép trang này, hãy liên hệ quản trị viên CNTT.
err-insecure_origin = Trang web { $origin } không dùng kết nối an toàn (https).
hint-insecure_origin = Hãy mở cổng BHXH bằng địa chỉ bắt đầu bằng https://.
err-no_module = Không tìm thấy trình điều khiển (driver PKCS#11) của token: { $path }
hint-no_module = Hãy cài driver đi kèm token của nhà cung cấp chữ ký số (VNPT-CA, Viettel-CA, FPT-CA, BKAV-CA, …) rồi thử lại. Quản trị viên có thể khai báo đường dẫn driver trong tệp cấu hình.
err-module_load_failed = Không nạp được driver token { $path }: { $reason }
hint-module_load_failed = Hãy cài lại driver token của nhà cung cấp chữ ký số (bản 64-bit phù hợp với trình duyệt) rồi thử lại.
err-no_token = Chưa cắm thiết bị chữ ký số (USB token).
hint-no_token = Hãy cắm USB token, chờ đèn sáng rồi thử lại. Nếu đã cắm, hãy rút ra cắm lại hoặc thử cổng USB khác.
err-no_certificates = Token đang cắm không có chứng thư số dùng để ký.
hint-no_certificates = Kiểm tra xem đã cắm đúng token chưa. Nếu đúng, hãy liên hệ nhà cung cấp chữ ký số: chứng thư có thể chưa được cài vào token.
err-certificate_not_found = Không tìm thấy chứng thư số được yêu cầu trên token đang cắm.
hint-certificate_not_found = Có vẻ bạn đang cắm token khác. Hãy cắm đúng token có chứng thư đã đăng ký trên cổng BHXH, hoặc cập nhật chứng thư mới trên cổng (mục "Thay đổi thông tin").
err-identity_mismatch = { $kind ->
        [dossier_unreadable] Hồ sơ không ghi rõ mã số thuế (tìm thấy: { $found }), nên không thể đối chiếu với mã số thuế trên token ({ $actual }).
       *[other] Token thuộc đơn vị khác: mã số thuế trên token là { $actual }, cần { $expected }.
    }
hint-identity_mismatch = { $kind ->
        [dossier_unreadable] Hãy xuất lại hồ sơ từ phần mềm kê khai: thẻ MaSoThue phải chỉ chứa mã số thuế, một lần, không có thẻ con, chú thích hay CDATA bên trong.
       *[other] Hãy cắm token của đơn vị có mã số thuế { $expected }. Nếu token của đơn vị vừa gia hạn hoặc đổi nhà cung cấp, hãy cập nhật chứng thư trên cổng BHXH trước.
    }
err-certificate_expired = Chứng thư số của { $holder } đã hết hạn ngày { $date }.
hint-certificate_expired = Hãy gia hạn chứng thư số với nhà cung cấp, sau đó cập nhật chứng thư mới trên cổng BHXH (Thay đổi thông tin → thay đổi chứng thư số) trước khi ký.
err-certificate_not_yet_valid = Chứng thư số của { $holder } chỉ có hiệu lực từ ngày { $date }.
hint-certificate_not_yet_valid = Kiểm tra ngày giờ của máy tính. Nếu đúng, hãy chờ đến ngày chứng thư có hiệu lực hoặc liên hệ nhà cung cấp chữ ký số.
err-user_cancelled = Bạn đã hủy thao tác ký.
hint-user_cancelled = Chưa có gì được ký. Hãy thực hiện lại khi sẵn sàng.
err-user_timeout = Cửa sổ nhập mã PIN đã hết thời gian chờ.
hint-user_timeout = Chưa có gì được ký. Hãy thực hiện lại và nhập mã PIN trong vòng { $wait }. Nếu không thấy cửa sổ nhập PIN, hãy tìm nó phía sau cửa sổ trình duyệt.
err-pin_incorrect = Mã PIN không đúng.{ $state ->
        [final_try] {" "}Chỉ còn MỘT lần thử: nhập sai lần nữa token sẽ bị khóa.
        [count_low] {" "}Số lần thử còn lại ít.
       *[other] {""}
    }
hint-pin_incorrect = { $state ->
        [final_try] Chỉ thử lại khi chắc chắn mã PIN đúng; nếu không nhớ, hãy liên hệ nhà cung cấp chữ ký số trước khi token bị khóa.
       *[other] Kiểm tra lại mã PIN (phân biệt chữ hoa, chữ thường) rồi thử lại. Lưu ý: token sẽ bị khóa nếu nhập sai nhiều lần.
    }
err-pin_locked = Mã PIN của token đã bị khóa do nhập sai quá nhiều lần.
hint-pin_locked = Hãy liên hệ nhà cung cấp chữ ký số để mở khóa token bằng mã PUK/SO PIN. Đừng thử thêm mã PIN.
err-token_removed = Token đã bị rút ra trong khi đang thực hiện.
hint-token_removed = Hãy cắm lại token và thực hiện lại thao tác.
err-busy = Token đang bận với một thao tác khác.
hint-busy = Hãy hoàn tất hoặc hủy cửa sổ ký đang mở rồi thử lại.
err-unsupported_algorithm = Thuật toán { $algorithm } không được hỗ trợ.
hint-unsupported_algorithm = Hãy dùng SHA-256 (mặc định của cổng BHXH). SHA-1 bị từ chối trừ khi quản trị viên cho phép.
err-hash_length_mismatch = Giá trị băm dài { $actual } byte nhưng { $algorithm } cần { $expected } byte.
hint-hash_length_mismatch = Đây là lỗi của trang web hoặc chương trình yêu cầu ký; hãy báo cho đơn vị quản lý trang.
err-xml_malformed = Tệp XML không đúng định dạng: { $reason }
hint-xml_malformed = Hãy kết xuất lại hồ sơ từ phần mềm kê khai và ký tệp mới.
err-xml_parent_not_found = Tệp XML không có thẻ { $parent } để chứa chữ ký.
hint-xml_parent_not_found = Kiểm tra xem tệp có đúng mẫu hồ sơ không, hoặc chỉ định thẻ chứa chữ ký bằng --parent.
err-xml_dtd_forbidden = Tệp XML có khai báo DOCTYPE, không được chấp nhận.
hint-xml_dtd_forbidden = Hãy kết xuất lại hồ sơ không có DOCTYPE, hoặc ký trên máy bằng lệnh "vss sign-xml".
err-xml_already_signed = Thẻ { $parent } đã có chữ ký.
hint-xml_already_signed = Tệp đã được ký. Hãy nộp tệp này, hoặc ký lại từ bản gốc chưa ký.
err-capability_denied = { $origin } không được phép { $capability }.
err-batch_too_large = Số tệp trong một lần ký không hợp lệ ({ $count }; tối đa { $limit }).
hint-batch_too_large = Hãy chia hồ sơ thành nhiều lần ký, hoặc ký số lượng lớn bằng lệnh "vss sign-xml".
hint-capability_denied = Hãy làm việc này từ nơi được phép: trang cổng BHXH, trang "Ký hồ sơ" của tiện ích hoặc lệnh vss trên máy. Nếu trang web đáng tin cậy, quản trị viên CNTT có thể cấp quyền trong tệp cấu hình.
capability-hash-signing = yêu cầu ký nội dung không hiển thị được (ký mã băm)
capability-batch-signing = ký nhiều hồ sơ trong một lần
capability-verification = kiểm tra chữ ký hồ sơ
capability-summary = đọc nội dung hồ sơ
capability-single-signing = ký từ cửa sổ này của tiện ích
capability-signing = thực hiện thao tác này
err-internal = Công cụ ký gặp lỗi không mong muốn.
hint-internal = Hãy thử lại. Nếu lỗi lặp lại, gửi tệp nhật ký cho bộ phận hỗ trợ CNTT.
err-config_invalid = Tệp cấu hình { $path } không hợp lệ: { $reason }
hint-config_invalid = Hãy sửa tệp (hoặc nhờ quản trị viên CNTT) rồi thử lại.
err-dialog_unavailable = Không mở được cửa sổ nhập mã PIN: { $reason }
hint-dialog_unavailable = Hãy cài lại VSS Token Signing. Trên Linux, hãy cài một chương trình pinentry (ví dụ pinentry-gnome3 hoặc pinentry-tty).
err-certificate_ambiguous = Có nhiều chứng thư số phù hợp; hãy chọn một.
hint-certificate_ambiguous = Chỉ định mã chứng thư bằng --cert (xem "vss certs").
err-file_unreadable = Không đọc hoặc ghi được tệp { $path }: { $reason }
hint-file_unreadable = Kiểm tra tên tệp và quyền đọc tệp, quyền ghi vào thư mục.
err-output_exists = Tệp kết quả { $path } đã tồn tại.
hint-output_exists = Hãy chọn tên tệp khác, hoặc thêm --force để ghi đè.
err-xml_parent_ambiguous = Tệp XML có { $count } thẻ { $parent }; chữ ký chỉ được đặt vào đúng một thẻ.
hint-xml_parent_ambiguous = Kiểm tra lại tệp hồ sơ (có thể đã bị ghép nhầm), hoặc chỉ định thẻ chứa chữ ký khác bằng --parent.

err-driver_unresponsive = Driver token { $path } không phản hồi (lệnh { $function } quá { $seconds } giây).
hint-driver_unresponsive = Hãy rút token ra, cắm lại rồi thử lại. Nếu vẫn lỗi, hãy cài lại driver của nhà cung cấp chữ ký số, hoặc khởi động lại máy tính. Các token khác vẫn dùng được.
err-file_not_regular = { $path } không phải tệp thông thường mà là { $kind }; không đọc.
hint-file_not_regular = Chỉ ký hoặc kiểm tra tệp hồ sơ đã lưu trên đĩa. Hãy lưu hồ sơ thành tệp .xml rồi chọn tệp đó (không chọn thư mục, đường ống hay thiết bị).
err-file_too_large = Tệp { $path } lớn hơn giới hạn { $limit } byte; không đọc tiếp.
hint-file_too_large = Kiểm tra đúng tệp hồ sơ chưa. Tệp hồ sơ BHXH thường nhỏ hơn nhiều; hãy xuất lại hồ sơ từ phần mềm kê khai.
file-kind-directory = một thư mục
file-kind-fifo = một đường ống (FIFO)
file-kind-socket = một socket
file-kind-device = một thiết bị
file-kind-other = một tệp đặc biệt

## Chữ trong cửa sổ ký và dòng lệnh.

dialog-title = VSS Token Signing — Ký số
dialog-prompt = Mã PIN:
dialog-ok = Ký
dialog-cancel = Hủy
dialog-holder = Người ký: { $holder }
dialog-mst = Mã số thuế (MST): { $mst }
dialog-expiry = Chứng thư có hiệu lực đến: { $date }
dialog-origin = Trang web yêu cầu: { $origin }
dialog-local = Yêu cầu từ: máy tính này ({ $program })
dialog-document = Tài liệu (do trang web cung cấp, chưa được kiểm chứng): { $title }
dialog-document-local = Tài liệu: { $title }
dialog-description = Mô tả (chưa được kiểm chứng): { $description }
dialog-hash = Giá trị băm { $algorithm }: { $fingerprint }
dialog-blind = Không thể hiển thị nội dung được ký; chỉ ký nếu chính bạn vừa thực hiện thao tác này.
dialog-pin-count-low = Cảnh báo: đã có lần nhập sai PIN; số lần thử còn lại ít.
dialog-pin-final-try = Cảnh báo: đây là lần thử CUỐI CÙNG trước khi token bị khóa.
dialog-pinpad = Hãy nhập mã PIN trên bàn phím của token rồi bấm Ký.
dialog-unknown = không rõ
dialog-requester-extension = tiện ích VSS Token Signing (trang Ký hồ sơ)
dialog-requester-local-app = một chương trình trên máy tính này (qua 127.0.0.1)
dialog-more = … còn { $count } dòng không hiển thị được (do tệp hoặc trang web cung cấp)
cli-error = Lỗi: { $message }
cli-hint = Cách xử lý: { $hint }
cli-token = Token "{ $label }" — { $manufacturer } { $model }, số sê-ri { $serial }
cli-cert-valid = còn hiệu lực, còn { $days } ngày
cli-cert-expiring = SẮP HẾT HẠN: còn { $days } ngày — hãy gia hạn với nhà cung cấp chữ ký số
cli-cert-invalid = KHÔNG CÒN HIỆU LỰC (đã hết hạn hoặc chưa đến ngày hiệu lực)
cli-cert-issuer = Nhà cung cấp: { $issuer }
cli-cert-until = Hiệu lực đến: { $date }
cli-cert-token = Trên token: { $label }
cli-signed = Đã ký ({ $algorithm }). Chữ ký (base64):
cli-host-installed = Đã đăng ký native host cho { $browser }: { $path }
cli-host-removed = Đã gỡ native host cho { $browser }: { $path }
dialog-xml-form = Mẫu hồ sơ (đọc từ tệp): { $form }
dialog-xml-unit = Đơn vị: { $unit }
dialog-xml-mst = Mã số thuế trong tệp: { $mst }
dialog-xml-bhxh = Mã đơn vị BHXH: { $code }
dialog-xml-period = Kỳ kê khai: { $period }
dialog-xml-files = { $count } tệp đính kèm: { $files }
dialog-batch = { $count } tệp cần ký
dialog-batch-forms = Mẫu hồ sơ (đọc từ tệp): { $forms }
dialog-batch-file = • { $name }: { $form }, { $unit }, MST { $mst }, kỳ { $period }
dialog-batch-more = … và { $count } tệp khác
cli-xml-signed = Đã ký { $file } → { $output }
cli-xml-failed = CHƯA ký { $file }: { $message }
cli-xml-summary = Đã ký { $signed }/{ $total } tệp, { $failed } tệp lỗi.
cli-verify-ok = HỢP LỆ: { $file }
cli-verify-bad = KHÔNG HỢP LỆ: { $file }
cli-verify-time-signed = Thời điểm ký (có ký xác nhận): { $time }
cli-verify-time-claim = Thời điểm ký (người ký tự khai, không được ký xác nhận): { $time }
cli-verify-trusted = Chuỗi chứng thư: tin cậy (đến được chứng thư gốc đã cấu hình)
cli-verify-untrusted = Chuỗi chứng thư: chưa tin cậy (không đến được chứng thư gốc nào đã cấu hình)
wait-minutes = { $n } phút
wait-seconds = { $n } giây
readiness-ready = Sẵn sàng ký số.
doctor-config = Cấu hình: { $files }{ $locked }
doctor-config-defaults = mặc định (không có tệp cấu hình)
doctor-config-locked = (đã bị quản trị viên khóa)
doctor-module-ok = Đã nạp driver token: { $path }
doctor-token = Đã cắm token: { $label }
doctor-certificate = Chứng thư của { $holder }, MST { $mst }
doctor-certificate-days = còn { $days } ngày
doctor-certificate-expiring = Hãy gia hạn với nhà cung cấp chữ ký số trước khi hết hạn, rồi cập nhật chứng thư mới trên cổng BHXH.
doctor-dialog-ok = Cửa sổ nhập PIN: { $program }
doctor-dialog-win32 = cửa sổ có sẵn của Windows
doctor-host-missing = Tiện ích trình duyệt không tìm thấy công cụ ký: công cụ chưa được đăng ký với trình duyệt nào.
doctor-host-hint = Hãy chạy "vss install-host" (hoặc cài lại VSS Token Signing) rồi khởi động lại trình duyệt.
doctor-host-ok = Đã đăng ký với: { $where }
doctor-agent-missing = Không tìm thấy công cụ ký (vss-agent) cạnh vss.

## Errors the browser extension raises itself (generated into extension/src/generated/catalogue.js).
ext-err-native_unavailable = Chưa cài đặt phần mềm ký số VSS Token Signing (vss-agent) trên máy tính này.
ext-hint-native_unavailable = Hãy tải và cài đặt bộ cài VSS Token Signing cho Windows (hoặc gói .deb cho Linux), sau đó đóng hẳn trình duyệt và mở lại. Nếu đã cài, chạy "vss install-host" để đăng ký lại với trình duyệt.
ext-err-native_disconnected = Phần mềm ký số đã dừng trong khi đang xử lý yêu cầu.
ext-hint-native_disconnected = Hãy thực hiện lại thao tác. Nếu lỗi lặp lại, rút USB Token ra, cắm lại rồi thử lần nữa.
ext-err-timeout = Phần mềm ký số không trả lời kịp thời.
ext-hint-timeout = Hãy kiểm tra xem cửa sổ nhập mã PIN có đang mở phía sau trình duyệt không, rồi thực hiện lại.
ext-err-reply_corrupt = Câu trả lời từ phần mềm ký số bị lỗi khi truyền.
ext-hint-reply_corrupt = Hãy thực hiện lại thao tác; nếu lỗi lặp lại, hãy cài lại phần mềm VSS Token Signing.
ext-err-certificate_not_issued = Chứng thư số cần ký chưa được chọn trên trang này.
ext-hint-certificate_not_issued = Hãy tải lại trang và chọn lại chứng thư số trước khi ký.
ext-err-extension_unavailable = Tiện ích VSS Token Signing chưa sẵn sàng trên trang này.
ext-hint-extension_unavailable = Hãy tải lại trang (F5). Nếu vẫn lỗi, kiểm tra tiện ích đã được bật trong chrome://extensions.
reason-page-request = trang web gửi dữ liệu không đúng định dạng
reason-too-many-requests = trang web gửi quá nhiều yêu cầu cùng lúc

## Reasons of bad_request (the { $reason } of err-bad_request).
reason-output-required = cần -o (một tệp) hoặc --out-dir (thư mục kết quả)
reason-output-one-file = -o chỉ nhận một tệp đầu vào; hãy dùng --out-dir cho nhiều tệp
reason-hash-hex = --hash phải là số thập lục phân
reason-hash-required = cần --hash hoặc --hash-b64
reason-hash-base64 = giá trị băm phải ở dạng base64
reason-xml-base64 = nội dung xml phải ở dạng base64
reason-arguments = tham số của lệnh không đúng
reason-json = yêu cầu không phải JSON hợp lệ
reason-envelope = phong bì yêu cầu (id, command, arguments) không đúng định dạng
reason-host = tên máy (Host) phải là công cụ ký này (127.0.0.1 hoặc localhost)
reason-http-duplicate-header = yêu cầu có nhiều hơn một tiêu đề { $header }
reason-http-target = đích của yêu cầu phải là một đường dẫn (/v1/…), không phải địa chỉ đầy đủ, tên máy hay dấu *
reason-http-body = nội dung yêu cầu bị ngắt giữa chừng
reason-http-path = công cụ ký không có đường dẫn này (chỉ có /v1/request và /v1/version)
caller-other-user = (chương trình của một người dùng khác trên máy này)
reason-certificate-reference = chứng thư phải là mã định danh (SHA-256 dạng hex) hoặc DER dạng base64
reason-signature-id-invalid = signature_id "{ $id }" không phải tên XML hợp lệ
reason-signature-id-used = signature_id "{ $id }" đã được dùng trong tài liệu
reason-signing-time = signing_time không phải thời điểm theo RFC 3339
doctor-driver-crashed = Driver token { $path } đã làm công cụ ký bị dừng đột ngột (lúc { $time }, khi gọi { $function }).
doctor-driver-crashed-hint = Hãy cài lại driver của nhà cung cấp chữ ký số (bản mới nhất), rút token ra cắm lại, hoặc khởi động lại máy tính.

## The tray (vss-tray): menu, choosers, windows and notifications.
tray-title = VSS Token Signing
tray-state-ready = Sẵn sàng
tray-state-attention = Cần chú ý
tray-state-problem = Có sự cố
tray-menu-token = Token { $label } ({ $model })
tray-menu-certificate = { $holder } — MST { $mst } — hết hạn { $date } (còn { $days } ngày)
tray-menu-certificate-expired = { $holder } — MST { $mst } — đã hết hạn ngày { $date }
tray-menu-no-certificate = (không có chứng thư ký số)
tray-menu-busy = Đang ký hồ sơ…
tray-menu-sign = Ký hồ sơ…
tray-menu-verify = Kiểm tra chữ ký…
tray-menu-diagnose = Chẩn đoán
tray-menu-logs = Mở thư mục nhật ký
tray-menu-language = Ngôn ngữ / Language
tray-menu-lang-vi = Tiếng Việt
tray-menu-lang-en = English
tray-menu-autostart = Khởi động cùng máy tính
tray-menu-quit = Thoát
tray-choose-files = Chọn hồ sơ XML để ký
tray-choose-folder = Chọn thư mục lưu bản đã ký
tray-choose-verify = Chọn hồ sơ đã ký để kiểm tra
tray-xml-filter = Hồ sơ XML
tray-overwrite = { $count } tệp đã có trong thư mục { $folder }. Ghi đè các tệp đó bằng bản vừa ký?
tray-overwrite-yes = Ghi đè
tray-overwrite-no = Giữ tệp đã có
tray-notice-refused-title = { $count } tệp sẽ không được ký
tray-notice-file-refused = ✗ { $file }: { $reason }
tray-notice-file-signed = ✓ { $file } ({ $form })
tray-notice-done-title = Đã ký { $signed }/{ $total } hồ sơ
tray-notice-saved-in = Lưu tại: { $folder }
tray-notice-more = … và { $count } tệp khác
tray-notice-failed-title = Không ký được hồ sơ
tray-action-open-folder = Mở thư mục
tray-notice-expiring-title = Chứng thư số sắp hết hạn: còn { $days } ngày
tray-notice-expiring-body = Chứng thư của { $holder } (MST { $mst }) hết hạn ngày { $date }. Hãy gia hạn với nhà cung cấp chữ ký số, rồi vào cổng BHXH chọn "Thay đổi thông tin" để cập nhật chứng thư mới.
tray-notice-expired-title = Chứng thư số đã hết hạn
tray-notice-expired-body = Chứng thư của { $holder } (MST { $mst }) đã hết hạn ngày { $date }. Hãy gia hạn với nhà cung cấp chữ ký số, rồi vào cổng BHXH chọn "Thay đổi thông tin" để cập nhật chứng thư mới.
tray-notice-plugged-title = Đã cắm token { $label }
tray-notice-plugged-none = Token không có chứng thư ký số nào.
tray-notice-unit = { $holder } (MST { $mst })
tray-notice-removed-title = Đã rút token { $label }
tray-notice-removed-body = Cắm lại token để ký hồ sơ.
tray-notice-pin-locked-title = Token { $label } bị khóa PIN
tray-notice-running = VSS Token Signing đang chạy: biểu tượng ở khay hệ thống, cạnh đồng hồ.
tray-notice-busy = Đang ký một lô hồ sơ; hãy đợi lô đó xong.
tray-notice-copied = Đã sao chép báo cáo hỗ trợ. Dán (Ctrl+V) vào thư hoặc tin nhắn gửi tổng đài hỗ trợ của nhà cung cấp chữ ký số.
tray-verify-title = Kết quả kiểm tra chữ ký
tray-verify-no-signature = Không có chữ ký nào.
tray-diagnose-title = Chẩn đoán VSS Token Signing
tray-diagnose-copy = Sao chép báo cáo hỗ trợ
tray-close = Đóng
tray-what-to-do = Cần làm: { $hint }

## Kết quả kiểm tra chữ ký XML (vss verify-xml, khay, trang Ký hồ sơ): mã ổn định verify-<mã>.

verify-duplicate_id = ID "{ $id }" xuất hiện nhiều lần trong tài liệu (có thể là tấn công bọc chữ ký)
verify-no_signature = không tìm thấy chữ ký nào
verify-signature_structure = một chữ ký phải có đúng một SignedInfo và một SignatureValue
verify-unsupported_canonicalization = không hỗ trợ phương pháp chuẩn hoá (CanonicalizationMethod) "{ $algorithm }"
verify-no_reference = SignedInfo không có Reference nào
verify-unsupported_signature_method = không hỗ trợ thuật toán ký (SignatureMethod) "{ $algorithm }"
verify-signature_value_invalid = giá trị chữ ký (SignatureValue) không khớp với chứng thư số trong KeyInfo
verify-no_certificate = KeyInfo không có chứng thư số (X509Certificate)
verify-unsupported_digest_method = không hỗ trợ thuật toán băm (DigestMethod) "{ $algorithm }"
verify-reference_without_uri = Reference không có URI nên không kiểm tra được
verify-id_not_unique = ID "{ $id }" không duy nhất (có thể là tấn công bọc chữ ký)
verify-id_not_found = không có phần tử nào mang ID "{ $id }"
verify-external_reference = chỉ kiểm tra tham chiếu trong cùng tài liệu, không theo "{ $uri }"
verify-c14n_not_last = phép chuẩn hoá phải là phép biến đổi cuối cùng
verify-unsupported_transform = không hỗ trợ phép biến đổi (Transform) "{ $algorithm }"
verify-digest_mismatch = giá trị băm không khớp: nội dung đã bị thay đổi sau khi ký
verify-weak_signature_method = chữ ký dùng thuật toán yếu SHA-1 ("{ $algorithm }"); nên ký lại bằng SHA-256
verify-weak_digest_method = tham chiếu URI="{ $uri }" dùng hàm băm yếu SHA-1 ("{ $algorithm }"); nên ký lại bằng SHA-256
verify-weak_algorithm_rejected = thuật toán yếu SHA-1 ("{ $algorithm }") không được chấp nhận theo cấu hình của quản trị viên
verify-covers_document = toàn bộ tài liệu
verify-covers_document_with_comments = toàn bộ tài liệu (kể cả chú thích)
verify-covers_element = phần tử có ID "{ $id }"
verify-covers_document_enveloped = toàn bộ tài liệu, trừ chính chữ ký này
verify-covers_document_with_comments_enveloped = toàn bộ tài liệu (kể cả chú thích), trừ chính chữ ký này
verify-covers_element_enveloped = phần tử có ID "{ $id }", trừ chính chữ ký này
cli-verify-weak = Cảnh báo: chữ ký dùng thuật toán yếu (SHA-1).
