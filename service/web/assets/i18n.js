// The dashboard's two languages: the vi/en dictionary, the current language (Vietnamese unless
// the English switch was chosen, remembered in localStorage), and number and date formatting.

const STORAGE_KEY = 'mailhygiene.lang';
const LANGUAGES = ['vi', 'en'];

const DICTIONARY = {
  vi: {
    'site.tagline': 'An toàn thư điện tử của cơ quan nhà nước',
    'nav.label': 'Điều hướng chính',
    'nav.skip': 'Bỏ qua, đến nội dung chính',
    'nav.overview': 'Tổng quan',
    'nav.selfcheck': 'Tự kiểm tra',
    'nav.mine': 'Tên miền của tôi',
    'lang.switch': 'English',
    'lang.switch.label': 'Switch to English',
    'footer.offline':
      'Mọi trang và số liệu do chính máy chủ này cung cấp; không dùng tài nguyên bên ngoài.',
    'footer.api': 'API (OpenAPI)',

    'common.loading': 'Đang tải…',
    'common.loadError': 'Không tải được dữ liệu (mã {status}).',
    'common.networkError': 'Không kết nối được với máy chủ.',
    'common.none': '—',
    'common.sortBy': 'Sắp xếp theo {column}',
    'common.csrf': 'Phiên đăng nhập đã thay đổi. Hãy tải lại trang rồi thử lại.',

    'account.signIn': 'Đăng nhập',
    'account.signOut': 'Đăng xuất',
    'account.signedInAs': 'Đã đăng nhập:',
    'account.signOutFailed': 'Không đăng xuất được (mã {status}).',
    'role.admin': 'Quản trị viên',
    'role.auditor': 'Kiểm tra viên quốc gia',
    'role.agency': 'Cơ quan',

    'signin.title': 'Đăng nhập – mailhygiene',
    'signin.heading': 'Đăng nhập',
    'signin.intro':
      'Kết quả chi tiết (lịch sử, thay đổi, bằng chứng, tải xuống) chỉ dành cho tài khoản được ' +
      'cấp. Dán mã truy cập mà quản trị viên của hệ thống đã cấp cho bạn.',
    'signin.label': 'Mã truy cập',
    'signin.submit': 'Đăng nhập',
    'signin.help':
      'Mã không được lưu trong trình duyệt; phiên đăng nhập hết hạn khi không dùng một thời gian.',
    'signin.publicHeading': 'Không có tài khoản?',
    'signin.publicText':
      'Bất kỳ ai cũng có thể tự kiểm tra tên miền thư điện tử của một cơ quan trong danh sách, ' +
      'không cần đăng nhập: kết quả hiện tại và cách khắc phục.',
    'signin.publicLink': 'Tự kiểm tra tên miền',
    'signin.empty': 'Hãy dán mã truy cập.',
    'signin.checking': 'Đang kiểm tra mã truy cập…',
    'signin.done': 'Đã đăng nhập: {name}.',
    'signin.rejected':
      'Mã truy cập không đúng, đã hết hạn hoặc đã bị thu hồi. ' +
      'Hãy kiểm tra lại mã, hoặc liên hệ quản trị viên để được cấp mã mới.',
    'signin.expired': 'Mã truy cập đã hết hạn. Hãy liên hệ quản trị viên để được cấp mã mới.',
    'signin.revoked': 'Mã truy cập đã bị thu hồi. Hãy liên hệ quản trị viên để được cấp mã mới.',
    'signin.tooMany': 'Quá nhiều lần đăng nhập không thành công. Vui lòng thử lại sau {seconds} giây.',
    'signin.failed': 'Không đăng nhập được (mã {status}).',
    'signin.signedOut': 'Bạn đã đăng xuất.',
    'signin.needed': 'Hãy đăng nhập để xem trang này.',
    'signin.already': 'Bạn đang đăng nhập với tài khoản {name}. Đăng nhập bằng mã khác sẽ thay thế phiên này.',

    'public.note':
      'Số liệu tổng hợp của cả nước; kết quả của từng tên miền dành cho tài khoản được cấp.',
    'public.signIn': 'Đăng nhập',
    'public.tiersOf': 'Đợt kiểm tra quốc gia #{run}: {audited} tên miền.',

    'mine.title': 'Tên miền của tôi – mailhygiene',
    'mine.heading': 'Tên miền của cơ quan bạn',
    'mine.intro': 'Kết quả mới nhất của các tên miền thuộc tài khoản này.',
    'mine.none': 'Tài khoản này chưa được gán tên miền nào. Hãy liên hệ quản trị viên.',

    'forbidden.title': 'Không thuộc quyền của bạn – mailhygiene',
    'forbidden.heading': 'Không thuộc quyền của bạn',
    'forbidden.text': 'Tên miền {domain} không thuộc quyền của tài khoản {name}.',
    'forbidden.yours': 'Các tên miền của bạn:',
    'forbidden.selfCheck':
      'Bạn vẫn có thể tự kiểm tra tên miền này (chỉ kết quả hiện tại và cách khắc phục).',

    'run.start': 'Bắt đầu đợt kiểm tra quốc gia',
    'run.started': 'Đã bắt đầu đợt kiểm tra quốc gia #{id}.',
    'run.inProgress': 'Một đợt kiểm tra quốc gia đang chạy.',
    'run.forbidden': 'Tài khoản này không được bắt đầu đợt kiểm tra.',
    'run.failed': 'Không bắt đầu được đợt kiểm tra (mã {status}).',

    'overview.title': 'Tổng quan quốc gia – mailhygiene',
    'overview.heading': 'An toàn thư điện tử của các cơ quan nhà nước',
    'overview.intro':
      'Kết quả mới nhất của từng tên miền trong danh sách ' +
      '(đợt kiểm tra quốc gia hoặc tự kiểm tra).',
    'overview.tiers': 'Mức tuân thủ',
    'overview.tiersOf': '{audited} trên {total} tên miền đã được kiểm tra.',
    'overview.distribution': 'Phân bố điểm',
    'overview.groups': 'Theo nhóm cơ quan',
    'overview.domains': 'Các tên miền',
    'overview.trend': 'Xu hướng qua các đợt kiểm tra quốc gia',
    'overview.trendNone': 'Chưa có đợt kiểm tra quốc gia nào hoàn tất.',
    'overview.trendNote':
      'Tỷ lệ tính trên các tên miền có thư điện tử mà chỉ tiêu đánh giá được ' +
      '(lỗi kiểm tra không tính).',
    'overview.downloads': 'Tải xuống (CSV, Excel)',
    'overview.noDomains': 'Danh sách tên miền trống.',

    'download.national': 'Kết quả đợt kiểm tra quốc gia mới nhất',
    'download.matrix': 'Ma trận tên miền × tiêu chí',
    'download.groupsCategory': 'Chỉ tiêu theo loại cơ quan',
    'download.groupsGroup': 'Chỉ tiêu theo nhóm',
    'download.trend': 'Điểm của từng tên miền qua các đợt',
    'download.regressions': 'Các tiêu chí bị giảm mức',
    'download.history': 'Lịch sử của tên miền',

    'tier.non_compliant': 'Không đạt',
    'tier.partial': 'Đạt một phần',
    'tier.baseline': 'Đạt cơ bản',
    'tier.advanced': 'Nâng cao',
    'tier.indeterminate': 'Chưa xác định',
    'tier.none': 'Chưa kiểm tra',

    'status.pass': 'Đạt',
    'status.warn': 'Cảnh báo',
    'status.fail': 'Không đạt',
    'status.error': 'Không kiểm tra được',
    'status.na': 'Không áp dụng',
    'status.info': 'Thông tin',
    'status.none': 'Không chạy',

    'table.group': 'Nhóm',
    'table.domains': 'Số tên miền',
    'table.audited': 'Đã kiểm tra',
    'table.mean': 'Điểm trung bình',
    'table.baseline': 'Đạt cơ bản trở lên',
    'table.domain': 'Tên miền',
    'table.agency': 'Cơ quan',
    'table.score': 'Điểm',
    'table.grade': 'Xếp loại',
    'table.tier': 'Mức',
    'table.auditedAt': 'Kiểm tra lúc',
    'table.run': 'Đợt',
    'table.value': 'Giá trị',
    'table.range': 'Khoảng điểm',

    'chart.data': 'Số liệu của biểu đồ',
    'chart.distribution': 'Số tên miền theo khoảng điểm',
    'chart.scores': 'Điểm trung bình và trung vị',
    'chart.mean': 'Điểm trung bình',
    'chart.median': 'Điểm trung vị',
    'chart.run': 'Đợt {id}',
    'chart.scoreHistory': 'Điểm của {domain} qua các lần kiểm tra',
    'chart.score': 'Điểm',
    'chart.latest': 'Mới nhất: {value}',
    'chart.empty': 'Chưa có số liệu.',

    'metric.valid_spf': 'SPF hợp lệ',
    'metric.strict_spf': 'SPF chặt (-all)',
    'metric.dmarc_any': 'Có DMARC',
    'metric.dmarc_quarantine_or_reject': 'DMARC quarantine hoặc reject',
    'metric.dmarc_reject': 'DMARC reject',
    'metric.dmarc_rua': 'DMARC có nhận báo cáo (rua)',
    'metric.starttls_all_mx': 'STARTTLS trên mọi máy chủ MX',
    'metric.tls_1_2_or_newer': 'Chỉ TLS 1.2 trở lên',
    'metric.no_sslv3_rc4_3des': 'Không SSLv3, RC4, 3DES',
    'metric.mta_sts_enforce': 'MTA-STS chế độ enforce',
    'metric.dnssec': 'DNSSEC hợp lệ',
    'metric.dane': 'DANE trên mọi MX',
    'metric.dkim_found': 'Có khóa DKIM',
    'metric.baseline_compliant': 'Đạt cơ bản trở lên',

    'domain.title': '{domain} – mailhygiene',
    'domain.summary': 'Kết quả mới nhất',
    'domain.score': 'Điểm',
    'domain.grade': 'Xếp loại',
    'domain.tier': 'Mức tuân thủ',
    'domain.auditedAt': 'Kiểm tra lúc',
    'domain.run': 'Lần kiểm tra',
    'domain.run.national': 'đợt kiểm tra quốc gia #{id}',
    'domain.run.self_check': 'tự kiểm tra #{id}',
    'domain.cached': 'kết quả gần đây lấy từ kho lưu trữ',
    'domain.profile': 'Hồ sơ',
    'domain.profile.receives': 'nhận thư',
    'domain.profile.sends': 'gửi thư',
    'domain.profile.noMail': 'không dùng thư điện tử',
    'domain.profile.missing': 'tên miền không tồn tại',
    'domain.noSmtp': 'Các kiểm tra STARTTLS/TLS không chạy trong lần này.',
    'domain.tierReasons': 'Lý do',
    'domain.caps': 'Giới hạn điểm',
    'domain.findings': 'Kết quả theo từng tiêu chí',
    'domain.findingsSummary': '{fail} không đạt, {warn} cảnh báo, {error} không kiểm tra được',
    'domain.remediation': 'Cách khắc phục',
    'domain.evidence': 'Bằng chứng (dữ liệu DNS và kết nối đã dùng)',
    'domain.messageNote': 'Mã của phát hiện nằm trong ngoặc vuông.',
    'domain.messageEnglish': '(tiếng Anh)',
    'domain.history': 'Lịch sử điểm',
    'domain.changes': 'Thay đổi giữa các lần kiểm tra',
    'domain.changesNone': 'Không có thay đổi nào giữa các lần kiểm tra.',
    'domain.changesOne': 'Mới có một lần kiểm tra.',
    'domain.changeHeading': '{run} ({date}) so với lần trước',
    'domain.scoreChange': 'Điểm: {before} → {after}',
    'domain.regression': 'giảm mức',
    'domain.confirmed': 'đã xác nhận ({by})',
    'domain.unconfirmed': 'chưa xác nhận',
    'domain.recordChange': 'Bản ghi {name} {type}: {before} → {after}',
    'domain.recordNone': '(không có)',
    'domain.notAudited': 'Tên miền {domain} chưa được kiểm tra.',
    'domain.unknown': 'Tên miền {domain} không có trong danh sách được kiểm tra.',
    'domain.invalid': 'Tên miền không hợp lệ.',
    'domain.checkNow': 'Tự kiểm tra ngay',
    'domain.open': 'Xem trang của tên miền',

    'selfcheck.title': 'Tự kiểm tra – mailhygiene',
    'selfcheck.heading': 'Tự kiểm tra tên miền của cơ quan',
    'selfcheck.intro':
      'Nhập tên miền thư điện tử của cơ quan (có trong danh sách được kiểm tra) để kiểm tra ngay. ' +
      'Kết quả gần đây có thể được lấy từ kho lưu trữ.',
    'selfcheck.label': 'Tên miền',
    'selfcheck.placeholder': 'vi-du.gov.vn',
    'selfcheck.submit': 'Kiểm tra',
    'selfcheck.empty': 'Hãy nhập một tên miền.',
    'selfcheck.running': 'Đang kiểm tra {domain}… có thể mất đến một phút.',
    'selfcheck.done': 'Đã kiểm tra {domain}.',
    'selfcheck.doneCached': 'Kết quả của {domain} lấy từ lần kiểm tra gần đây.',
    'selfcheck.invalid': 'Tên miền không hợp lệ. Hãy nhập dạng ten-mien.gov.vn.',
    'selfcheck.unknown':
      '{domain} không có trong danh sách tên miền được kiểm tra: ' +
      'chỉ kiểm tra được tên miền của cơ quan nhà nước trong danh sách.',
    'selfcheck.rateLimited': 'Quá nhiều yêu cầu kiểm tra. Vui lòng thử lại sau {seconds} giây.',
    'selfcheck.busy': 'Hệ thống đang bận. Vui lòng thử lại sau {seconds} giây.',
    'selfcheck.timeout':
      'Việc kiểm tra đang mất nhiều thời gian; nó vẫn tiếp tục và kết quả sẽ có ' +
      'nếu bạn thử lại sau {seconds} giây.',
    'selfcheck.failed': 'Không thể hoàn tất việc kiểm tra (mã {status}).',
    'selfcheck.serverSaid': 'Máy chủ trả lời: {message}',
  },
  en: {
    'site.tagline': 'Email security of Vietnamese state agencies',
    'nav.label': 'Main navigation',
    'nav.skip': 'Skip to the content',
    'nav.overview': 'Overview',
    'nav.selfcheck': 'Self-check',
    'nav.mine': 'My domains',
    'lang.switch': 'Tiếng Việt',
    'lang.switch.label': 'Chuyển sang tiếng Việt',
    'footer.offline': 'Every page and figure is served by this server; no external resources.',
    'footer.api': 'API (OpenAPI)',

    'common.loading': 'Loading…',
    'common.loadError': 'Could not load the data (status {status}).',
    'common.networkError': 'Could not reach the server.',
    'common.none': '—',
    'common.sortBy': 'Sort by {column}',
    'common.csrf': 'The sign-in session changed. Reload the page and try again.',

    'account.signIn': 'Sign in',
    'account.signOut': 'Sign out',
    'account.signedInAs': 'Signed in as',
    'account.signOutFailed': 'Could not sign out (status {status}).',
    'role.admin': 'Administrator',
    'role.auditor': 'National auditor',
    'role.agency': 'Agency',

    'signin.title': 'Sign in – mailhygiene',
    'signin.heading': 'Sign in',
    'signin.intro':
      'Detailed results (history, changes, evidence, downloads) are for accounts only. ' +
      'Paste the access token the service’s administrators gave you.',
    'signin.label': 'Access token',
    'signin.submit': 'Sign in',
    'signin.help':
      'The token is not kept in the browser; the session ends after a while without use.',
    'signin.publicHeading': 'No account?',
    'signin.publicText':
      'Anyone can check the mail domain of a listed agency without signing in: ' +
      'its current findings and how to fix them.',
    'signin.publicLink': 'Check a domain',
    'signin.empty': 'Paste your access token.',
    'signin.checking': 'Checking the token…',
    'signin.done': 'Signed in as {name}.',
    'signin.rejected':
      'This token is wrong, expired or revoked. ' +
      'Check it, or ask the administrators for a new one.',
    'signin.expired': 'This token has expired. Ask the administrators for a new one.',
    'signin.revoked': 'This token has been revoked. Ask the administrators for a new one.',
    'signin.tooMany': 'Too many failed sign-ins. Please retry in {seconds} seconds.',
    'signin.failed': 'Could not sign in (status {status}).',
    'signin.signedOut': 'You have signed out.',
    'signin.needed': 'Sign in to see this page.',
    'signin.already':
      'You are signed in as {name}. Signing in with another token replaces this session.',

    'public.note':
      'Nationwide aggregates; the results of each domain are for accounts.',
    'public.signIn': 'Sign in',
    'public.tiersOf': 'National run #{run}: {audited} domains.',

    'mine.title': 'My domains – mailhygiene',
    'mine.heading': 'Your agency’s domains',
    'mine.intro': 'The latest result of each domain of this account.',
    'mine.none': 'This account has no domain yet. Ask the administrators.',

    'forbidden.title': 'Not yours – mailhygiene',
    'forbidden.heading': 'Not yours',
    'forbidden.text': '{domain} is not one of the domains of the account {name}.',
    'forbidden.yours': 'Your domains:',
    'forbidden.selfCheck':
      'You can still self-check this domain (its current findings and how to fix them).',

    'run.start': 'Start a national run',
    'run.started': 'National run #{id} started.',
    'run.inProgress': 'A national run is already in progress.',
    'run.forbidden': 'This account may not start a run.',
    'run.failed': 'Could not start the run (status {status}).',

    'overview.title': 'National overview – mailhygiene',
    'overview.heading': 'Email security of state agencies',
    'overview.intro':
      'The latest result of every registry domain (national run or self-check).',
    'overview.tiers': 'Compliance tiers',
    'overview.tiersOf': '{audited} of {total} domains audited.',
    'overview.distribution': 'Score distribution',
    'overview.groups': 'By group',
    'overview.domains': 'Domains',
    'overview.trend': 'Trend over national runs',
    'overview.trendNone': 'No national run has completed yet.',
    'overview.trendNote':
      'Percentages are of the mail domains on which the metric could be judged ' +
      '(check errors are left out).',
    'overview.downloads': 'Downloads (CSV, Excel)',
    'overview.noDomains': 'The domain list is empty.',

    'download.national': 'Latest national run',
    'download.matrix': 'Domain × check matrix',
    'download.groupsCategory': 'Metrics by category',
    'download.groupsGroup': 'Metrics by group',
    'download.trend': 'Every domain’s score over runs',
    'download.regressions': 'Checks that got worse',
    'download.history': 'Domain history',

    'tier.non_compliant': 'Non-compliant',
    'tier.partial': 'Partial',
    'tier.baseline': 'Baseline',
    'tier.advanced': 'Advanced',
    'tier.indeterminate': 'Indeterminate',
    'tier.none': 'Not audited',

    'status.pass': 'Pass',
    'status.warn': 'Warning',
    'status.fail': 'Fail',
    'status.error': 'Could not check',
    'status.na': 'Not applicable',
    'status.info': 'Info',
    'status.none': 'Not run',

    'table.group': 'Group',
    'table.domains': 'Domains',
    'table.audited': 'Audited',
    'table.mean': 'Mean score',
    'table.baseline': 'Baseline or better',
    'table.domain': 'Domain',
    'table.agency': 'Agency',
    'table.score': 'Score',
    'table.grade': 'Grade',
    'table.tier': 'Tier',
    'table.auditedAt': 'Audited at',
    'table.run': 'Run',
    'table.value': 'Value',
    'table.range': 'Score range',

    'chart.data': 'Chart data',
    'chart.distribution': 'Domains by score range',
    'chart.scores': 'Mean and median score',
    'chart.mean': 'Mean score',
    'chart.median': 'Median score',
    'chart.run': 'Run {id}',
    'chart.scoreHistory': 'Score of {domain} over audits',
    'chart.score': 'Score',
    'chart.latest': 'Latest: {value}',
    'chart.empty': 'No data yet.',

    'metric.valid_spf': 'Valid SPF',
    'metric.strict_spf': 'Strict SPF (-all)',
    'metric.dmarc_any': 'DMARC published',
    'metric.dmarc_quarantine_or_reject': 'DMARC quarantine or reject',
    'metric.dmarc_reject': 'DMARC reject',
    'metric.dmarc_rua': 'DMARC aggregate reports (rua)',
    'metric.starttls_all_mx': 'STARTTLS on every MX',
    'metric.tls_1_2_or_newer': 'TLS 1.2 or newer only',
    'metric.no_sslv3_rc4_3des': 'No SSLv3, RC4, 3DES',
    'metric.mta_sts_enforce': 'MTA-STS enforce',
    'metric.dnssec': 'DNSSEC valid',
    'metric.dane': 'DANE on every MX',
    'metric.dkim_found': 'DKIM key found',
    'metric.baseline_compliant': 'Baseline or better',

    'domain.title': '{domain} – mailhygiene',
    'domain.summary': 'Latest result',
    'domain.score': 'Score',
    'domain.grade': 'Grade',
    'domain.tier': 'Compliance tier',
    'domain.auditedAt': 'Audited at',
    'domain.run': 'Audit',
    'domain.run.national': 'national run #{id}',
    'domain.run.self_check': 'self-check #{id}',
    'domain.cached': 'a recent result from the store',
    'domain.profile': 'Profile',
    'domain.profile.receives': 'receives mail',
    'domain.profile.sends': 'sends mail',
    'domain.profile.noMail': 'no mail',
    'domain.profile.missing': 'the domain does not exist',
    'domain.noSmtp': 'The STARTTLS/TLS checks did not run this time.',
    'domain.tierReasons': 'Reasons',
    'domain.caps': 'Score caps',
    'domain.findings': 'Findings by check',
    'domain.findingsSummary': '{fail} failing, {warn} warnings, {error} could not be checked',
    'domain.remediation': 'How to fix',
    'domain.evidence': 'Evidence (the DNS answers and connections used)',
    'domain.messageNote': 'The finding’s tag is in square brackets.',
    'domain.messageEnglish': '(English)',
    'domain.history': 'Score history',
    'domain.changes': 'What changed between audits',
    'domain.changesNone': 'Nothing changed between audits.',
    'domain.changesOne': 'Only one audit so far.',
    'domain.changeHeading': '{run} ({date}) against the one before',
    'domain.scoreChange': 'Score: {before} → {after}',
    'domain.regression': 'regression',
    'domain.confirmed': 'confirmed ({by})',
    'domain.unconfirmed': 'unconfirmed',
    'domain.recordChange': 'Record {name} {type}: {before} → {after}',
    'domain.recordNone': '(none)',
    'domain.notAudited': '{domain} has not been audited yet.',
    'domain.unknown': '{domain} is not in the registry of audited domains.',
    'domain.invalid': 'Invalid domain name.',
    'domain.checkNow': 'Check it now',
    'domain.open': 'Open the domain page',

    'selfcheck.title': 'Self-check – mailhygiene',
    'selfcheck.heading': 'Check your agency’s domain',
    'selfcheck.intro':
      'Enter your agency’s mail domain (one of the audited domains) to check it now. ' +
      'A recent result may be served from the store.',
    'selfcheck.label': 'Domain name',
    'selfcheck.placeholder': 'example.gov.vn',
    'selfcheck.submit': 'Check',
    'selfcheck.empty': 'Enter a domain name.',
    'selfcheck.running': 'Checking {domain}… this can take up to a minute.',
    'selfcheck.done': 'Checked {domain}.',
    'selfcheck.doneCached': 'The result of {domain} comes from a recent audit.',
    'selfcheck.invalid': 'Invalid domain name. Enter a name like example.gov.vn.',
    'selfcheck.unknown':
      '{domain} is not in the registry of audited domains: ' +
      'only state agency domains of the registry can be checked.',
    'selfcheck.rateLimited': 'Too many checks. Please retry in {seconds} seconds.',
    'selfcheck.busy': 'The service is busy. Please retry in {seconds} seconds.',
    'selfcheck.timeout':
      'The audit is taking long; it goes on, and its result will be there ' +
      'if you retry in {seconds} seconds.',
    'selfcheck.failed': 'The check could not be completed (status {status}).',
    'selfcheck.serverSaid': 'The server said: {message}',
  },
};

function storedLanguage() {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(stored) ? stored : 'vi';
  } catch {
    return 'vi';  // storage disabled: Vietnamese
  }
}

let current = storedLanguage();
const listeners = [];

export function language() {
  return current;
}

export function locale() {
  return current === 'vi' ? 'vi-VN' : 'en-GB';
}

// The text of `key` in the current language, with {name} placeholders filled from `params`.
export function t(key, params = {}) {
  const text = DICTIONARY[current][key] ?? DICTIONARY.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
}

export function hasText(key) {
  return Object.prototype.hasOwnProperty.call(DICTIONARY[current], key);
}

// Fills every [data-i18n] element's text and [data-i18n-placeholder] placeholder, and sets
// <html lang> and the switch button.
export function applyTranslations(root = document) {
  document.documentElement.lang = current;
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-placeholder]'))
    node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll('[data-i18n-label]'))
    node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  const button = document.getElementById('lang-switch');
  if (button) {
    button.textContent = t('lang.switch');
    button.lang = current === 'vi' ? 'en' : 'vi';
    button.setAttribute('aria-label', t('lang.switch.label'));
  }
}

export function setLanguage(next) {
  if (!LANGUAGES.includes(next)) return;
  current = next;
  try {
    window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered; the page still switches
  }
  applyTranslations();
  for (const listener of listeners) listener(next);
}

// `listener` runs after every language switch (pages re-render their data with it).
export function onLanguageChange(listener) {
  listeners.push(listener);
}

// Wires the switch button and translates the page once.
export function initLanguage() {
  const button = document.getElementById('lang-switch');
  if (button) button.addEventListener('click', () => setLanguage(current === 'vi' ? 'en' : 'vi'));
  applyTranslations();
}

export function formatNumber(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return t('common.none');
  return Number(value).toLocaleString(locale(), {maximumFractionDigits: digits});
}

export function formatPercent(value) {
  if (value === null || value === undefined) return t('common.none');
  return formatNumber(value, 1) + ' %';
}

// An ISO-8601 timestamp as a local date and time; the text itself when it does not parse.
export function formatDate(text) {
  if (!text) return t('common.none');
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return String(text);
  return date.toLocaleString(locale(), {dateStyle: 'medium', timeStyle: 'short'});
}

export function formatShortDate(text) {
  if (!text) return t('common.none');
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return String(text);
  return date.toLocaleDateString(locale(), {day: '2-digit', month: '2-digit'});
}

export function statusLabel(status) {
  return t('status.' + (status || 'none'));
}

export function tierLabel(tier) {
  return t('tier.' + (tier || 'none'));
}
