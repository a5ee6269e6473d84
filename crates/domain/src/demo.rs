//! Deterministic, realistic participants for the demo event and for benchmarks.
//!
//! [`generate`] writes startups and investors as CSV text in the import contract's format
//! (see `import`), from a seed and nothing else: no clock, no randomness from the operating
//! system, no floating point. The same arguments give the same bytes on every machine.
//!
//! The data looks like an innovation event in Hải Phòng: most startups are Vietnamese and
//! based in Hải Phòng, the city's strengths (logistics, ports and the blue economy,
//! manufacturing, agriculture, OCOP food products) are over-represented, descriptions are in
//! Vietnamese with full diacritics for about two thirds of the startups and in English for the
//! rest, and investors come from Vietnam, Korea, Singapore, Israel, the Netherlands, Japan and
//! the United States. Every name is fictional.

use std::collections::HashMap;
use std::fmt::Write as _;

/// Participants of a generated event as CSV files in the import contract's format.
#[derive(Debug, Clone)]
pub struct DemoCsv {
    pub startups: String,
    pub investors: String,
}

/// `startups` startups and `investors` investors; the same arguments always give the same bytes.
///
/// Names and e-mail addresses are unique within each file (also once folded, as the import
/// compares them); when the plausible names run out, a number is appended. The two files use
/// independent random streams, so the investors do not change with the number of startups.
pub fn generate(seed: u64, startups: usize, investors: usize) -> DemoCsv {
    DemoCsv { startups: startups_csv(seed, startups), investors: investors_csv(seed, investors) }
}

/// The demo event: Techfest Hải Phòng 2023 (seed fixed), 320 startups and 72 investors.
pub fn techfest_haiphong_2023() -> DemoCsv {
    generate(TECHFEST_HAIPHONG_2023_SEED, 320, 72)
}

const TECHFEST_HAIPHONG_2023_SEED: u64 = 0x7ec4_f357_4a1f_2023;

const STARTUP_HEADER: &str =
    "name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description";
const INVESTOR_HEADER: &str =
    "name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis";

const STARTUP_STREAM: u64 = 1;
const INVESTOR_STREAM: u64 = 2;

/// Candidate names tried before a number is appended to make one unique.
const NAME_ATTEMPTS: usize = 6;

// ---------------------------------------------------------------------------------------------
// Random numbers

/// SplitMix64: small, fast, and good enough for plausible data.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: u32, high: u32) -> u32 {
        low + self.below((high - low + 1) as usize) as u32
    }

    fn percent(&mut self, chance: usize) -> bool {
        self.below(100) < chance
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index into `items`, each drawn with probability proportional to its weight.
    fn weighted<T>(&mut self, items: &[T], weight: impl Fn(&T) -> u32) -> usize {
        let total: u32 = items.iter().map(&weight).sum();
        let mut ticket = self.below(total as usize) as u32;
        for (index, item) in items.iter().enumerate() {
            let w = weight(item);
            if ticket < w {
                return index;
            }
            ticket -= w;
        }
        items.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Taxonomy as the generator sees it

const AGRITECH: usize = 0;
const FINTECH: usize = 1;
const EDTECH: usize = 2;
const HEALTHTECH: usize = 3;
const LOGISTICS: usize = 4;
const MARITIME: usize = 5;
const MANUFACTURING: usize = 6;
const ECOMMERCE: usize = 7;
const RETAIL: usize = 8;
const TOURISM: usize = 9;
const CLEANTECH: usize = 10;
const SMART_CITY: usize = 11;
const AI: usize = 12;
const BIOTECH: usize = 13;
const PROPTECH: usize = 14;
const MEDIA: usize = 15;
const FOOD: usize = 16;
const IOT: usize = 17;
const SAAS: usize = 18;
const MOBILITY: usize = 19;

struct Sector {
    code: &'static str,
    label_vi: &'static str,
    label_en: &'static str,
    /// Relative frequency among startups and investors' interests.
    weight: u32,
    /// Sectors a startup of this one often also names.
    related: &'static [usize],
    /// How the sector reads inside a Vietnamese or English sentence.
    prose_vi: &'static str,
    prose_en: &'static str,
    /// First words of Vietnamese startup names.
    heads_vi: &'static [&'static str],
    /// Roots of English brand names.
    roots_en: &'static [&'static str],
    /// English words appended to Vietnamese names ("Đồng Xanh Agri").
    tags: &'static [&'static str],
    /// First sentences of descriptions; `{place}` and `{pct}` are filled in.
    pitch_vi: &'static [&'static str],
    pitch_en: &'static [&'static str],
}

const SECTORS: [Sector; 20] = [
    Sector {
        code: "agritech",
        label_vi: "Nông nghiệp",
        label_en: "Agriculture",
        weight: 10,
        related: &[FOOD, IOT, BIOTECH, ECOMMERCE, AI],
        prose_vi: "nông nghiệp công nghệ cao",
        prose_en: "agritech",
        heads_vi: &["Nông Sản", "Đồng", "Ruộng", "Mùa Vàng", "Hạt Ngọc", "Vườn", "Nhà Nông"],
        roots_en: &["Farm", "Agri", "Crop", "Rice", "Field", "Harvest", "Grow", "Paddy"],
        tags: &["Agri", "Farm", "AgTech"],
        pitch_vi: &[
            "Ứng dụng cảm biến IoT giám sát độ ẩm đất và tưới tiêu tự động cho vùng trồng rau an toàn tại {place}.",
            "Nền tảng truy xuất nguồn gốc nông sản bằng mã QR, giúp hợp tác xã đưa sản phẩm OCOP vào siêu thị.",
            "Giải pháp nông nghiệp công nghệ cao cho trang trại nhà màng, tiết kiệm {pct}% nước tưới.",
            "Sàn kết nối nông dân với bếp ăn công nghiệp, rút ngắn chuỗi cung ứng nông sản.",
            "Chế phẩm vi sinh và dữ liệu thời tiết giúp nông dân giảm {pct}% phân bón hóa học.",
        ],
        pitch_en: &[
            "IoT soil sensors and automated irrigation for safe-vegetable farms in {place}.",
            "A QR-code traceability platform that puts cooperatives' OCOP products on supermarket shelves.",
            "High-tech greenhouse farming that cuts irrigation water by {pct}%.",
            "A marketplace connecting farmers directly with industrial kitchens, shortening the agricultural supply chain.",
        ],
    },
    Sector {
        code: "fintech",
        label_vi: "Tài chính",
        label_en: "Fintech",
        weight: 6,
        related: &[ECOMMERCE, RETAIL, AI, SAAS, LOGISTICS],
        prose_vi: "tài chính",
        prose_en: "fintech",
        heads_vi: &["Ví", "Tín Dụng", "Thanh Toán", "Tài Chính", "Tiền"],
        roots_en: &["Pay", "Coin", "Ledger", "Credit", "Wallet", "Fin", "Cash"],
        tags: &["Pay", "Finance", "Fintech"],
        pitch_vi: &[
            "Ví điện tử và tín dụng vi mô cho tiểu thương chợ truyền thống.",
            "Nền tảng tài trợ chuỗi cung ứng cho doanh nghiệp xuất nhập khẩu qua cảng Hải Phòng.",
            "Giải pháp eKYC và chấm điểm tín dụng bằng dữ liệu thay thế cho người vay lần đầu.",
        ],
        pitch_en: &[
            "A wallet and micro-credit app for traditional market traders.",
            "Supply-chain finance for import–export companies shipping through Hai Phong port.",
            "eKYC and credit scoring from alternative data for first-time borrowers.",
        ],
    },
    Sector {
        code: "edtech",
        label_vi: "Giáo dục",
        label_en: "Education",
        weight: 5,
        related: &[AI, SAAS, MEDIA],
        prose_vi: "giáo dục",
        prose_en: "edtech",
        heads_vi: &["Học", "Trường", "Lớp Học", "Tri Thức", "Chữ"],
        roots_en: &["Learn", "Edu", "Class", "Tutor", "Study", "Skill"],
        tags: &["Edu", "Academy", "Learning"],
        pitch_vi: &[
            "Nền tảng học tiếng Anh chuyên ngành logistics và hàng hải cho sinh viên và người lao động tại cảng.",
            "Lớp học trực tuyến STEM và lập trình cho học sinh tiểu học.",
            "Hệ thống quản lý trường học số kết nối phụ huynh và giáo viên tại {place}.",
        ],
        pitch_en: &[
            "English for logistics and maritime careers, for students and port workers.",
            "Online STEM and coding classes for primary-school children.",
            "A school management platform connecting parents and teachers in {place}.",
        ],
    },
    Sector {
        code: "healthtech",
        label_vi: "Y tế",
        label_en: "Healthcare",
        weight: 5,
        related: &[AI, IOT, BIOTECH, SAAS],
        prose_vi: "y tế",
        prose_en: "healthtech",
        heads_vi: &["Y Tế", "Sức Khỏe", "Bác Sĩ", "Phòng Khám", "An Tâm"],
        roots_en: &["Care", "Med", "Health", "Clinic", "Vital", "Doc"],
        tags: &["Health", "Care", "Medical"],
        pitch_vi: &[
            "Ứng dụng đặt lịch khám và tư vấn sức khỏe từ xa với bác sĩ tuyến tỉnh.",
            "Hồ sơ sức khỏe điện tử cho phòng khám tư nhân, tích hợp bảo hiểm y tế.",
            "Thiết bị đeo theo dõi sức khỏe người cao tuổi và cảnh báo té ngã.",
        ],
        pitch_en: &[
            "Telemedicine and appointment booking with provincial hospital doctors.",
            "Electronic health records for private clinics, integrated with health insurance.",
            "Wearables that monitor elderly people's health and detect falls.",
        ],
    },
    Sector {
        code: "logistics",
        label_vi: "Logistics",
        label_en: "Logistics",
        weight: 15,
        related: &[MARITIME, MOBILITY, IOT, SAAS, ECOMMERCE, AI],
        prose_vi: "logistics",
        prose_en: "logistics",
        heads_vi: &["Vận Tải", "Kho Vận", "Giao Nhận", "Xe Hàng", "Chuyển Phát", "Tiếp Vận"],
        roots_en: &["Cargo", "Freight", "Route", "Truck", "Haul", "Parcel", "Load", "Ship"],
        tags: &["Logistics", "Express", "Cargo"],
        pitch_vi: &[
            "Nền tảng kết nối chủ hàng và nhà xe tại cảng Hải Phòng, giảm {pct}% chi phí vận chuyển rỗng.",
            "Phần mềm quản lý kho bãi và bãi container cho doanh nghiệp logistics vừa và nhỏ.",
            "Dịch vụ giao hàng chặng cuối trong ngày cho các khu công nghiệp quanh {place}.",
            "Hệ thống điều phối xe tải theo thời gian thực, tối ưu tuyến đường từ cảng về kho nội địa.",
            "Sàn giao dịch cước vận tải nội địa, minh bạch giá cho chủ hàng và nhà vận tải.",
        ],
        pitch_en: &[
            "Digital freight matching for truckers and shippers at Hai Phong port, cutting empty runs by {pct}%.",
            "Warehouse and container-yard management software for small logistics firms.",
            "Same-day last-mile delivery for the industrial parks around {place}.",
            "Real-time truck dispatching that optimises routes from the port to inland warehouses.",
        ],
    },
    Sector {
        code: "maritime",
        label_vi: "Kinh tế biển",
        label_en: "Maritime",
        weight: 11,
        related: &[LOGISTICS, IOT, CLEANTECH, AI, MANUFACTURING, TOURISM],
        prose_vi: "kinh tế biển",
        prose_en: "maritime",
        heads_vi: &["Cảng", "Biển", "Hàng Hải", "Tàu", "Sóng", "Hải Đăng"],
        roots_en: &["Port", "Sea", "Harbor", "Dock", "Tide", "Wave", "Anchor", "Marine", "Ocean"],
        tags: &["Marine", "Port", "Shipping"],
        pitch_vi: &[
            "Giải pháp số hóa thủ tục tàu biển và khai báo hải quan điện tử tại cảng Lạch Huyện và cảng Hải Phòng.",
            "Cảm biến và phần mềm theo dõi tiêu hao nhiên liệu cho đội tàu vận tải ven biển.",
            "Nền tảng đặt chỗ container và theo dõi lịch tàu cho chủ hàng xuất nhập khẩu.",
            "Ứng dụng AI dự báo ùn tắc cầu cảng, rút ngắn {pct}% thời gian tàu chờ làm hàng.",
            "Nuôi trồng thủy sản trên biển bằng lồng bè thông minh tại vùng biển Cát Bà.",
        ],
        pitch_en: &[
            "Paperless vessel clearance and e-customs for ships calling at Lach Huyen and Hai Phong ports.",
            "Fuel-monitoring sensors and analytics for coastal shipping fleets.",
            "Container booking and vessel-schedule tracking for exporters.",
            "AI berth planning that cuts vessel waiting time at the port by {pct}%.",
            "Offshore aquaculture with smart cages in the waters off Cát Bà island.",
        ],
    },
    Sector {
        code: "manufacturing",
        label_vi: "Sản xuất",
        label_en: "Manufacturing",
        weight: 10,
        related: &[IOT, AI, SAAS, CLEANTECH, LOGISTICS],
        prose_vi: "sản xuất công nghiệp",
        prose_en: "manufacturing",
        heads_vi: &["Cơ Khí", "Chế Tạo", "Công Nghiệp", "Xưởng", "Kim Khí"],
        roots_en: &["Fab", "Forge", "Mech", "Steel", "Factory", "Weld", "Tool"],
        tags: &["Industrial", "Tech", "Engineering"],
        pitch_vi: &[
            "Hệ thống MES giám sát dây chuyền sản xuất theo thời gian thực cho nhà máy cơ khí.",
            "Giải pháp bảo trì dự đoán cho máy móc công nghiệp, giảm {pct}% thời gian dừng máy.",
            "Robot hàn và cắt tự động cho các xưởng đóng tàu và kết cấu thép.",
            "Nền tảng kết nối xưởng sản xuất vệ tinh với doanh nghiệp FDI trong các khu công nghiệp tại {place}.",
        ],
        pitch_en: &[
            "A manufacturing execution system that monitors production lines in real time.",
            "Predictive maintenance for industrial machinery, reducing downtime by {pct}%.",
            "Welding and cutting robots for shipyards and steel-structure workshops.",
            "A supplier platform linking local workshops with FDI manufacturers in the industrial zones of {place}.",
        ],
    },
    Sector {
        code: "e-commerce",
        label_vi: "Thương mại điện tử",
        label_en: "E-commerce",
        weight: 6,
        related: &[RETAIL, LOGISTICS, FOOD, FINTECH, MEDIA],
        prose_vi: "thương mại điện tử",
        prose_en: "e-commerce",
        heads_vi: &["Chợ", "Sàn", "Mua Sắm", "Đơn Hàng", "Giỏ Hàng"],
        roots_en: &["Shop", "Cart", "Market", "Deal", "Buy", "Order"],
        tags: &["Mall", "Shop", "Commerce"],
        pitch_vi: &[
            "Sàn thương mại điện tử cho đặc sản vùng miền và sản phẩm OCOP.",
            "Công cụ livestream bán hàng và quản lý đơn cho hộ kinh doanh nhỏ.",
            "Nền tảng bán buôn B2B kết nối cửa hàng tạp hóa với nhà phân phối tại {place}.",
        ],
        pitch_en: &[
            "A marketplace for regional specialities and OCOP products.",
            "Livestream selling and order management for small online sellers.",
            "B2B wholesale ordering that connects grocery stores with distributors in {place}.",
        ],
    },
    Sector {
        code: "retail",
        label_vi: "Bán lẻ",
        label_en: "Retail",
        weight: 3,
        related: &[ECOMMERCE, FINTECH, SAAS, FOOD],
        prose_vi: "bán lẻ",
        prose_en: "retail",
        heads_vi: &["Tạp Hóa", "Cửa Hàng", "Siêu Thị", "Quầy"],
        roots_en: &["Store", "Mart", "Shelf", "Retail", "Till"],
        tags: &["Mart", "Retail", "Store"],
        pitch_vi: &[
            "Phần mềm bán hàng và quản lý tồn kho cho chuỗi cửa hàng tiện lợi.",
            "Hệ thống tủ bán hàng tự động và thanh toán không tiền mặt tại {place}.",
        ],
        pitch_en: &[
            "Point-of-sale and inventory software for convenience-store chains.",
            "Smart vending kiosks with cashless payment in {place}.",
        ],
    },
    Sector {
        code: "tourism",
        label_vi: "Du lịch",
        label_en: "Tourism",
        weight: 5,
        related: &[MEDIA, MOBILITY, FOOD, ECOMMERCE, MARITIME],
        prose_vi: "du lịch",
        prose_en: "tourism",
        heads_vi: &["Du Lịch", "Hành Trình", "Đảo", "Vịnh", "Lữ Hành"],
        roots_en: &["Trip", "Travel", "Island", "Bay", "Tour", "Stay"],
        tags: &["Travel", "Tours", "Trip"],
        pitch_vi: &[
            "Nền tảng đặt tour khám phá Cát Bà, vịnh Lan Hạ và Đồ Sơn.",
            "Ứng dụng thuyết minh du lịch đa ngôn ngữ bằng thực tế ảo tăng cường.",
            "Hệ thống quản lý homestay và đặt phòng cho du lịch cộng đồng tại {place}.",
        ],
        pitch_en: &[
            "Booking for tours of Cát Bà, Lan Hạ Bay and Đồ Sơn beach.",
            "Multilingual augmented-reality audio guides for heritage sites.",
            "Homestay management and booking for community-based tourism in {place}.",
        ],
    },
    Sector {
        code: "cleantech",
        label_vi: "Năng lượng sạch",
        label_en: "Clean technology",
        weight: 5,
        related: &[MANUFACTURING, SMART_CITY, IOT, MARITIME],
        prose_vi: "năng lượng sạch",
        prose_en: "cleantech",
        heads_vi: &["Năng Lượng", "Môi Trường", "Mặt Trời", "Tái Chế", "Gió"],
        roots_en: &["Solar", "Green", "Eco", "Wind", "Volt", "Carbon"],
        tags: &["Energy", "Green", "Eco"],
        pitch_vi: &[
            "Điện mặt trời áp mái cho nhà xưởng trong khu công nghiệp, mô hình cho thuê không cần vốn ban đầu.",
            "Thu gom và tái chế rác thải nhựa đại dương thành vật liệu xây dựng.",
            "Giải pháp đo lường và báo cáo phát thải carbon cho doanh nghiệp xuất khẩu tại {place}.",
        ],
        pitch_en: &[
            "Rooftop solar for factories in industrial parks, with zero upfront cost.",
            "Turning ocean plastic waste into construction materials.",
            "Carbon accounting and emissions reporting for exporters in {place}.",
        ],
    },
    Sector {
        code: "smart-city",
        label_vi: "Đô thị thông minh",
        label_en: "Smart city",
        weight: 4,
        related: &[IOT, AI, MOBILITY, CLEANTECH],
        prose_vi: "đô thị thông minh",
        prose_en: "smart-city",
        heads_vi: &["Đô Thị", "Phố", "Thành Phố", "Phường"],
        roots_en: &["City", "Urban", "Metro", "Civic", "Town"],
        tags: &["City", "Urban", "Smart"],
        pitch_vi: &[
            "Nền tảng phản ánh hiện trường và điều hành đô thị thông minh cho chính quyền quận, huyện.",
            "Hệ thống đỗ xe thông minh với cảm biến và thanh toán qua ứng dụng tại {place}.",
            "Camera AI giám sát giao thông và cảnh báo ngập lụt đô thị.",
        ],
        pitch_en: &[
            "A citizen-feedback and city-operations platform for district governments.",
            "Smart parking with sensors and in-app payment in {place}.",
            "AI cameras for traffic monitoring and urban flood alerts.",
        ],
    },
    Sector {
        code: "ai",
        label_vi: "Trí tuệ nhân tạo",
        label_en: "Artificial intelligence",
        weight: 6,
        related: &[SAAS, MANUFACTURING, LOGISTICS, HEALTHTECH, FINTECH],
        prose_vi: "trí tuệ nhân tạo",
        prose_en: "AI",
        heads_vi: &["Trí Tuệ", "Dữ Liệu", "Nhận Dạng", "Trợ Lý"],
        roots_en: &["Mind", "Neural", "Vision", "Data", "Cog", "Sense"],
        tags: &["AI", "Labs", "Data"],
        pitch_vi: &[
            "Trí tuệ nhân tạo nhận dạng chữ viết tay tiếng Việt để số hóa hồ sơ giấy.",
            "Trợ lý ảo tiếng Việt chăm sóc khách hàng cho ngân hàng và chuỗi bán lẻ.",
            "Thị giác máy tính kiểm tra lỗi sản phẩm trên dây chuyền với độ chính xác trên 98%.",
        ],
        pitch_en: &[
            "Vietnamese handwriting recognition that digitises paper records.",
            "A Vietnamese-language virtual assistant for banks and retail chains.",
            "Computer vision that inspects products on the line with over 98% accuracy.",
        ],
    },
    Sector {
        code: "biotech",
        label_vi: "Công nghệ sinh học",
        label_en: "Biotechnology",
        weight: 2,
        related: &[AGRITECH, HEALTHTECH, FOOD, MARITIME],
        prose_vi: "công nghệ sinh học",
        prose_en: "biotech",
        heads_vi: &["Sinh Học", "Vi Sinh", "Enzym", "Tế Bào"],
        roots_en: &["Bio", "Gene", "Cell", "Enzyme", "Micro"],
        tags: &["Bio", "BioTech", "Life"],
        pitch_vi: &[
            "Công nghệ sinh học sản xuất giống tôm, cá sạch bệnh cho vùng nuôi ven biển.",
            "Chế phẩm enzyme xử lý phụ phẩm nông nghiệp thành phân bón hữu cơ.",
        ],
        pitch_en: &[
            "Disease-free shrimp and fish fingerlings for coastal aquaculture.",
            "Enzymes that turn agricultural by-products into organic fertiliser.",
        ],
    },
    Sector {
        code: "proptech",
        label_vi: "Bất động sản",
        label_en: "Property technology",
        weight: 2,
        related: &[SMART_CITY, FINTECH, SAAS],
        prose_vi: "bất động sản",
        prose_en: "proptech",
        heads_vi: &["Nhà", "Địa Ốc", "Kho Xưởng", "Căn Hộ"],
        roots_en: &["Home", "Nest", "Estate", "Land", "Room"],
        tags: &["Homes", "Land", "Property"],
        pitch_vi: &[
            "Nền tảng cho thuê nhà xưởng và kho bãi quanh các khu công nghiệp tại {place}.",
            "Ứng dụng quản lý vận hành tòa nhà và thu phí dịch vụ chung cư.",
        ],
        pitch_en: &[
            "A rental marketplace for factories and warehouses around the industrial parks of {place}.",
            "Building operations and service-fee collection software for apartment blocks.",
        ],
    },
    Sector {
        code: "media",
        label_vi: "Truyền thông",
        label_en: "Media",
        weight: 2,
        related: &[ECOMMERCE, TOURISM, EDTECH],
        prose_vi: "truyền thông",
        prose_en: "media",
        heads_vi: &["Truyền Thông", "Kể Chuyện", "Sóng Số", "Góc Nhìn"],
        roots_en: &["Media", "Story", "Stream", "Clip", "Pixel"],
        tags: &["Media", "Studio", "Stories"],
        pitch_vi: &[
            "Mạng lưới nội dung số quảng bá văn hóa và ẩm thực đất Cảng.",
            "Nền tảng sản xuất video ngắn cho thương hiệu địa phương tại {place}.",
        ],
        pitch_en: &[
            "Digital content promoting the culture and cuisine of the port city.",
            "Short-video production for local brands in {place}.",
        ],
    },
    Sector {
        code: "food",
        label_vi: "Thực phẩm",
        label_en: "Food",
        weight: 9,
        related: &[AGRITECH, ECOMMERCE, RETAIL, BIOTECH, LOGISTICS],
        prose_vi: "thực phẩm OCOP",
        prose_en: "OCOP food",
        heads_vi: &["Thực Phẩm", "Bếp", "Đặc Sản", "Vị Quê", "Mắm", "Hải Sản"],
        roots_en: &["Food", "Taste", "Fresh", "Kitchen", "Spice", "Fish"],
        tags: &["Foods", "Fresh", "Kitchen"],
        pitch_vi: &[
            "Chế biến và phân phối nước mắm truyền thống Cát Hải đạt chuẩn OCOP 4 sao.",
            "Thương hiệu đặc sản bánh đa cua Hải Phòng đóng gói, bán qua kênh thương mại điện tử.",
            "Chuỗi cung ứng hải sản tươi từ ngư dân đến nhà hàng trong vòng 12 giờ.",
            "Nền tảng giúp cơ sở sản xuất OCOP chuẩn hóa bao bì, truy xuất nguồn gốc và xuất khẩu.",
            "Thực phẩm chức năng từ rong biển và tảo xoắn nuôi trồng tại {place}.",
        ],
        pitch_en: &[
            "Traditional Cát Hải fish sauce, OCOP 4-star certified, sold online and in export markets.",
            "Packaged Hai Phong specialities such as crab noodle soup, sold through e-commerce.",
            "A cold chain bringing fresh seafood from fishermen to restaurants within 12 hours.",
            "Helping OCOP producers standardise packaging, traceability and export paperwork.",
        ],
    },
    Sector {
        code: "iot",
        label_vi: "Internet vạn vật",
        label_en: "Internet of things",
        weight: 4,
        related: &[LOGISTICS, MANUFACTURING, AGRITECH, SMART_CITY, MARITIME],
        prose_vi: "internet vạn vật",
        prose_en: "IoT",
        heads_vi: &["Cảm Biến", "Thiết Bị", "Kết Nối", "Mạch"],
        roots_en: &["Sense", "Node", "Signal", "Beacon", "Chip"],
        tags: &["IoT", "Devices", "Sensors"],
        pitch_vi: &[
            "Thiết bị định vị GPS và cảm biến nhiệt độ cho container lạnh.",
            "Bộ điều khiển IoT giám sát chất lượng nước ao nuôi tôm tại {place}.",
        ],
        pitch_en: &[
            "GPS trackers and temperature sensors for reefer containers.",
            "IoT controllers that monitor water quality in shrimp ponds in {place}.",
        ],
    },
    Sector {
        code: "saas",
        label_vi: "Phần mềm doanh nghiệp",
        label_en: "Enterprise software",
        weight: 5,
        related: &[AI, FINTECH, MANUFACTURING, LOGISTICS, RETAIL],
        prose_vi: "phần mềm doanh nghiệp",
        prose_en: "SaaS",
        heads_vi: &["Phần Mềm", "Quản Trị", "Hóa Đơn", "Văn Phòng"],
        roots_en: &["Flow", "Desk", "Suite", "Stack", "Ops", "Work"],
        tags: &["Software", "Cloud", "Soft"],
        pitch_vi: &[
            "Phần mềm quản trị doanh nghiệp (ERP) tinh gọn cho doanh nghiệp sản xuất vừa và nhỏ.",
            "Giải pháp hóa đơn điện tử và chữ ký số cho hộ kinh doanh tại {place}.",
        ],
        pitch_en: &[
            "Lean ERP for small and medium manufacturers.",
            "E-invoicing and digital signatures for household businesses in {place}.",
        ],
    },
    Sector {
        code: "mobility",
        label_vi: "Giao thông",
        label_en: "Mobility",
        weight: 4,
        related: &[LOGISTICS, SMART_CITY, CLEANTECH, TOURISM],
        prose_vi: "giao thông thông minh",
        prose_en: "mobility",
        heads_vi: &["Xe", "Di Chuyển", "Giao Thông", "Xe Điện"],
        roots_en: &["Ride", "Move", "Wheel", "Go", "Bus", "Moto"],
        tags: &["Mobility", "Move", "Ride"],
        pitch_vi: &[
            "Ứng dụng gọi xe điện và xe buýt nhỏ kết nối nội thành với sân bay Cát Bi.",
            "Nền tảng chia sẻ xe máy điện và trạm đổi pin cho người giao hàng tại {place}.",
        ],
        pitch_en: &[
            "Electric ride-hailing and minibuses linking the city centre with Cát Bi airport.",
            "Electric scooter sharing and battery-swap stations for delivery riders in {place}.",
        ],
    },
];

/// Stages in order, with the words the descriptions and theses use for them.
struct Stage {
    code: &'static str,
    /// Share of startups at this stage.
    weight: u32,
    /// Funding ask as a range of indices on the [`nice`] ladder.
    ask_usd: (u32, u32),
    ask_vnd: (u32, u32),
    founded: (u32, u32),
    team: (u32, u32),
    /// A typical investment ticket at this stage, as an index on the [`nice`] ladder (USD).
    ticket_usd: u32,
    round_vi: &'static str,
    round_en: &'static str,
    /// "seed-stage" and "pre-seed to Series A" in theses.
    alone_en: &'static str,
    range_en: &'static str,
    label_vi: &'static str,
}

// On the ladder: 20k = 33, 75k = 39, 100k = 40, 1M = 50, 5M = 57; 500M = 77, 2B = 83, 50B = 97.
const STAGES: [Stage; 7] = [
    Stage {
        code: "idea",
        weight: 12,
        ask_usd: (33, 39),
        ask_vnd: (77, 83),
        founded: (2021, 2023),
        team: (2, 5),
        ticket_usd: 35,
        round_vi: "vốn ban đầu",
        round_en: "first",
        alone_en: "idea-stage",
        range_en: "idea",
        label_vi: "ý tưởng",
    },
    Stage {
        code: "pre-seed",
        weight: 24,
        ask_usd: (37, 45),
        ask_vnd: (80, 88),
        founded: (2019, 2023),
        team: (3, 12),
        ticket_usd: 40,
        round_vi: "vốn tiền hạt giống",
        round_en: "pre-seed",
        alone_en: "pre-seed",
        range_en: "pre-seed",
        label_vi: "tiền hạt giống",
    },
    Stage {
        code: "seed",
        weight: 32,
        ask_usd: (43, 52),
        ask_vnd: (85, 93),
        founded: (2017, 2023),
        team: (5, 35),
        ticket_usd: 45,
        round_vi: "vốn hạt giống",
        round_en: "seed",
        alone_en: "seed-stage",
        range_en: "seed",
        label_vi: "hạt giống",
    },
    Stage {
        code: "series-a",
        weight: 21,
        ask_usd: (50, 57),
        ask_vnd: (92, 97),
        founded: (2015, 2022),
        team: (15, 80),
        ticket_usd: 51,
        round_vi: "vốn vòng A",
        round_en: "Series A",
        alone_en: "Series A",
        range_en: "Series A",
        label_vi: "vòng A",
    },
    Stage {
        code: "series-b",
        weight: 7,
        ask_usd: (54, 57),
        ask_vnd: (94, 97),
        founded: (2013, 2021),
        team: (40, 150),
        ticket_usd: 56,
        round_vi: "vốn vòng B",
        round_en: "Series B",
        alone_en: "Series B",
        range_en: "Series B",
        label_vi: "vòng B",
    },
    Stage {
        code: "series-c",
        weight: 3,
        ask_usd: (55, 57),
        ask_vnd: (95, 97),
        founded: (2012, 2020),
        team: (60, 200),
        ticket_usd: 59,
        round_vi: "vốn vòng C",
        round_en: "Series C",
        alone_en: "Series C",
        range_en: "Series C",
        label_vi: "vòng C",
    },
    Stage {
        code: "growth",
        weight: 1,
        ask_usd: (55, 57),
        ask_vnd: (95, 97),
        founded: (2012, 2019),
        team: (80, 200),
        ticket_usd: 61,
        round_vi: "vốn tăng trưởng",
        round_en: "growth",
        alone_en: "growth-stage",
        range_en: "growth",
        label_vi: "tăng trưởng",
    },
];

/// Round amounts, about ten per decade: `nice(30)` = 10 000, `nice(45)` = 300 000.
fn nice(index: u32) -> i64 {
    const MANTISSAS: [i64; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 75];
    MANTISSAS[(index % 10) as usize] * 10_i64.pow(index / 10)
}

// ---------------------------------------------------------------------------------------------
// Places

struct Province {
    name: &'static str,
    name_en: &'static str,
    /// How the place reads inside a startup's name ("Nông Sản Xanh Sài Gòn").
    in_name: &'static str,
    weight: u32,
}

const PROVINCES: [Province; 11] = [
    Province { name: "Hải Phòng", name_en: "Hai Phong", in_name: "Hải Phòng", weight: 52 },
    Province { name: "Hà Nội", name_en: "Hanoi", in_name: "Hà Nội", weight: 14 },
    Province { name: "TP. Hồ Chí Minh", name_en: "Ho Chi Minh City", in_name: "Sài Gòn", weight: 9 },
    Province { name: "Quảng Ninh", name_en: "Quang Ninh", in_name: "Quảng Ninh", weight: 5 },
    Province { name: "Đà Nẵng", name_en: "Da Nang", in_name: "Đà Nẵng", weight: 4 },
    Province { name: "Hải Dương", name_en: "Hai Duong", in_name: "Hải Dương", weight: 4 },
    Province { name: "Thái Bình", name_en: "Thai Binh", in_name: "Thái Bình", weight: 3 },
    Province { name: "Bắc Ninh", name_en: "Bac Ninh", in_name: "Kinh Bắc", weight: 3 },
    Province { name: "Hưng Yên", name_en: "Hung Yen", in_name: "Hưng Yên", weight: 2 },
    Province { name: "Nam Định", name_en: "Nam Dinh", in_name: "Thành Nam", weight: 2 },
    Province { name: "Cần Thơ", name_en: "Can Tho", in_name: "Cần Thơ", weight: 2 },
];

/// Where foreign startups come from: country, cities, web domains; out of 1000 startups.
struct Abroad {
    country: &'static str,
    cities: &'static [&'static str],
    tlds: &'static [&'static str],
    weight: u32,
}

const VIETNAM_WEIGHT: u32 = 900;
const ABROAD: [Abroad; 5] = [
    Abroad { country: "SG", cities: &["Singapore"], tlds: &["com", "sg", "com.sg"], weight: 30 },
    Abroad { country: "KR", cities: &["Seoul", "Busan", "Incheon"], tlds: &["com", "kr", "co.kr"], weight: 25 },
    Abroad { country: "NL", cities: &["Rotterdam", "Amsterdam", "Eindhoven"], tlds: &["com", "nl"], weight: 15 },
    Abroad { country: "IL", cities: &["Tel Aviv", "Haifa"], tlds: &["com", "co.il"], weight: 15 },
    Abroad { country: "JP", cities: &["Tokyo", "Osaka", "Yokohama"], tlds: &["com", "jp", "co.jp"], weight: 15 },
];

// ---------------------------------------------------------------------------------------------
// Startups

const NAME_TAILS_VI: &[&str] = &[
    "Xanh",
    "Số",
    "Việt",
    "Mới",
    "Thông Minh",
    "Kết Nối",
    "Phương Đông",
    "Hoa Phượng",
    "Bạch Đằng",
    "Đất Cảng",
    "Sông Cấm",
    "Cát Bà",
    "Đồ Sơn",
    "Lạch Tray",
    "Minh Phát",
    "An Khang",
    "Thịnh Vượng",
    "Tâm Việt",
    "Hưng Thịnh",
    "Biển Đông",
    "Duyên Hải",
    "Bình Minh",
    "Sao Mai",
    "Ánh Dương",
    "Phú Quý",
    "Vàng",
    "Sạch",
    "Tươi",
    "Hải Âu",
    "Rồng Vàng",
];

const NAME_SUFFIXES_EN: &[&str] = &[
    "Link", "Hub", "Flow", "Go", "X", "Lab", "Net", "Track", "Wise", "Base", "Point", "Mate", "Ware", "Sync", "Loop",
    "Bridge", "Nest", "ly", "ify", "io", "Pro", "Hive", "Path", "Grid",
];

const NAME_WORDS_EN: &[&str] =
    &["Labs", "Works", "Technologies", "Systems", "Solutions", "Vietnam", "Asia", "Global", "Digital"];

const NAME_TAGS_EN: &[&str] = &["AI", "Tech", "Labs", "Vietnam", "Asia", "Digital", "Cloud"];

const TRACTION_VI: &[&str] = &[
    "Đã phục vụ {n} khách hàng doanh nghiệp tại {place}.",
    "Doanh thu năm qua tăng {growth}%.",
    "Đạt giải cuộc thi khởi nghiệp đổi mới sáng tạo Techfest Hải Phòng.",
    "Đang thí điểm cùng {small} hợp tác xã và doanh nghiệp tại Hải Phòng.",
    "Được ươm tạo tại một trung tâm hỗ trợ khởi nghiệp đổi mới sáng tạo của thành phố Hải Phòng.",
    "Có hơn {users} nghìn người dùng hoạt động hằng tháng.",
    "Giải pháp đã được cấp bằng độc quyền giải pháp hữu ích.",
];

const CLOSING_VI: &[&str] = &[
    "Đang gọi {round} để mở rộng ra các tỉnh duyên hải Bắc Bộ.",
    "Tìm kiếm nhà đầu tư chiến lược am hiểu lĩnh vực {sector}.",
    "Cần vốn để hoàn thiện sản phẩm và mở rộng sang thị trường Đông Nam Á.",
    "Mong muốn hợp tác với quỹ đầu tư và doanh nghiệp lớn tại Hải Phòng.",
    "Mục tiêu trở thành nền tảng {sector} hàng đầu miền Bắc.",
];

const TRACTION_EN: &[&str] = &[
    "Serving {n} business customers in {place}.",
    "Revenue grew {growth}% last year.",
    "Winner of the Techfest Hải Phòng startup challenge.",
    "Finalist at Techfest Hai Phong's innovation competition.",
    "Piloting with {small} cooperatives and companies around Hai Phong.",
    "Over {users},000 monthly active users.",
    "Incubated at a Hai Phong innovation hub.",
];

const CLOSING_EN: &[&str] = &[
    "Raising a {round} round to expand across the northern coastal provinces.",
    "Looking for strategic investors with {sector} experience.",
    "Seeking partners to scale into Southeast Asia.",
    "Looking for pilots with port operators and manufacturers in Vietnam.",
];

const ENTERING_VIETNAM_EN: &[&str] = &[
    "Now entering Vietnam, starting with pilots in Hai Phong.",
    "Expanding to Vietnam through Hai Phong's ports and industrial parks.",
    "Looking for a Vietnamese partner to localise the product.",
];

fn startups_csv(seed: u64, count: usize) -> String {
    let mut rng = Rng::new(seed, STARTUP_STREAM);
    let mut names = Names::default();
    let mut out = String::with_capacity(STARTUP_HEADER.len() + 1 + count * 400);
    out.push_str(STARTUP_HEADER);
    out.push('\n');
    let mut scratch = String::new();
    for _ in 0..count {
        startup_row(&mut rng, &mut names, &mut out, &mut scratch);
    }
    out
}

fn startup_row(rng: &mut Rng, names: &mut Names, out: &mut String, scratch: &mut String) {
    let abroad = {
        let total_abroad: u32 = ABROAD.iter().map(|a| a.weight).sum();
        let ticket = rng.below((VIETNAM_WEIGHT + total_abroad) as usize) as u32;
        if ticket < VIETNAM_WEIGHT { None } else { Some(&ABROAD[rng.weighted(&ABROAD, |a| a.weight)]) }
    };
    let province = &PROVINCES[rng.weighted(&PROVINCES, |p| p.weight)];
    let city = abroad.map(|a| rng.pick(a.cities));
    let stage = &STAGES[rng.weighted(&STAGES, |s| s.weight)];
    let sectors = startup_sectors(rng);
    let primary = &SECTORS[sectors[0]];

    let (name, slug) = names.claim(rng, |rng| match abroad {
        None if rng.percent(55) => vietnamese_name(rng, primary, province),
        _ => english_name(rng, primary),
    });

    // name, sectors, stage, country, province
    cell(out, &name);
    out.push(',');
    sector_cell(rng, &sectors, scratch);
    cell(out, scratch);
    out.push(',');
    out.push_str(stage.code);
    out.push(',');
    out.push_str(abroad.map_or("VN", |a| a.country));
    out.push(',');
    cell(out, city.unwrap_or(province.name));

    // funding_ask, currency: VND for about 60% of the Vietnamese startups, USD otherwise.
    let (range, currency) =
        if abroad.is_none() && rng.percent(60) { (stage.ask_vnd, "VND") } else { (stage.ask_usd, "USD") };
    let _ = write!(out, ",{},{currency}", nice(rng.between(range.0, range.1)));

    // founded, team_size
    let _ =
        write!(out, ",{},{}", rng.between(stage.founded.0, stage.founded.1), rng.between(stage.team.0, stage.team.1));

    // website, email
    let tld = match abroad {
        None if rng.percent(60) => "vn",
        None if rng.percent(20) => "com.vn",
        None => "com",
        Some(abroad) => rng.pick(abroad.tlds),
    };
    let www = if rng.percent(20) { "www." } else { "" };
    let local = match abroad {
        None => rng.pick(&["contact", "info", "hello", "lienhe"]),
        Some(_) => rng.pick(&["contact", "hello", "info", "founders"]),
    };
    let _ = write!(out, ",https://{www}{slug}.{tld},{local}@{slug}.{tld},");

    // description: Vietnamese for about two thirds of the startups, English otherwise.
    let vietnamese = abroad.is_none() && rng.percent(73);
    let place_en = match (city, province.name) {
        (Some(city), _) => city,
        (None, "Hải Phòng") if rng.percent(50) => "Hải Phòng",
        (None, _) => province.name_en,
    };
    let vars = Vars {
        place: if vietnamese { province.name } else { place_en },
        pct: rng.between(12, 45),
        n: rng.between(12, 480),
        small: rng.between(3, 25),
        growth: rng.between(30, 260),
        users: rng.between(2, 180),
        round: if vietnamese { stage.round_vi } else { stage.round_en },
        sector: if vietnamese { primary.prose_vi } else { primary.prose_en },
    };
    scratch.clear();
    let (pitches, traction, closing) = if vietnamese {
        (primary.pitch_vi, TRACTION_VI, CLOSING_VI)
    } else {
        (primary.pitch_en, TRACTION_EN, CLOSING_EN)
    };
    render(scratch, rng.pick(pitches), &vars);
    if abroad.is_some() && rng.percent(50) {
        scratch.push(' ');
        scratch.push_str(rng.pick(ENTERING_VIETNAM_EN));
    } else if rng.percent(65) {
        scratch.push(' ');
        render(scratch, rng.pick(traction), &vars);
    }
    if rng.percent(45) {
        scratch.push(' ');
        render(scratch, rng.pick(closing), &vars);
    }
    cell(out, scratch);
    out.push('\n');
}

/// One to three distinct sectors, the first drawn by weight, the others often related to it.
fn startup_sectors(rng: &mut Rng) -> Vec<usize> {
    let count = 1 + rng.weighted(&[45_u32, 40, 15], |w| *w);
    let first = rng.weighted(&SECTORS, |s| s.weight);
    let mut sectors = Vec::with_capacity(count);
    sectors.push(first);
    while sectors.len() < count {
        let next =
            if rng.percent(60) { rng.pick(SECTORS[first].related) } else { rng.weighted(&SECTORS, |s| s.weight) };
        if !sectors.contains(&next) {
            sectors.push(next);
        }
    }
    sectors
}

/// Sector codes in four rows of five; otherwise all Vietnamese or all English labels.
fn sector_cell(rng: &mut Rng, sectors: &[usize], cell: &mut String) {
    let style = rng.below(10);
    cell.clear();
    for (index, sector) in sectors.iter().enumerate() {
        if index > 0 {
            cell.push(';');
        }
        let sector = &SECTORS[*sector];
        cell.push_str(match style {
            0 => sector.label_vi,
            1 => sector.label_en,
            _ => sector.code,
        });
    }
}

/// "Nông Sản Xanh", "Cảng Số Hải Phòng", "Đồng Xanh Agri".
fn vietnamese_name(rng: &mut Rng, sector: &Sector, province: &Province) -> String {
    let head = rng.pick(sector.heads_vi);
    let tail = rng.pick(NAME_TAILS_VI);
    match rng.below(10) {
        0..=4 => format!("{head} {tail}"),
        5..=7 => format!("{head} {tail} {}", province.in_name),
        _ => format!("{head} {tail} {}", rng.pick(sector.tags)),
    }
}

/// "PortLink", "SeaFarm AI", "Harbor Labs".
fn english_name(rng: &mut Rng, sector: &Sector) -> String {
    let root = rng.pick(sector.roots_en);
    match rng.below(20) {
        0..=8 => format!("{root}{}", rng.pick(NAME_SUFFIXES_EN)),
        9..=13 => {
            let other = &SECTORS[rng.pick(sector.related)];
            format!("{root}{} {}", rng.pick(other.roots_en), rng.pick(NAME_TAGS_EN))
        }
        _ => format!("{root} {}", rng.pick(NAME_WORDS_EN)),
    }
}

// ---------------------------------------------------------------------------------------------
// Investors

struct InvestorType {
    code: &'static str,
    /// The stages this type may invest in, as indices into [`STAGES`].
    stages: (usize, usize),
    /// Ladder steps below the lowest stage's typical ticket and above the highest one's.
    below: u32,
    above: u32,
    names_en: &'static [&'static str],
    names_vi: &'static [&'static str],
    lead_en: &'static str,
    support_en: &'static [&'static str],
    support_vi: &'static [&'static str],
}

// Indices into INVESTOR_TYPES, in its order: vc, angel, cvc, fund, accelerator, bank, government.
const ANGEL: usize = 1;
const BANK: usize = 5;
const GOVERNMENT: usize = 6;

const INVESTOR_TYPES: [InvestorType; 7] = [
    InvestorType {
        code: "vc",
        stages: (2, 4),
        below: 3,
        above: 2,
        names_en: &["{place} Ventures", "{place} Capital", "{place} Venture Partners", "{place} Seed Partners"],
        names_vi: &[],
        lead_en: "An early-stage venture firm",
        support_en: &[
            "We lead or co-lead rounds and take an active board role.",
            "Tickets from {min} to {max} {currency}.",
            "We help founders hire, set up governance and prepare the next round.",
        ],
        support_vi: &[
            "Chúng tôi dẫn dắt vòng gọi vốn và đồng hành cùng nhà sáng lập.",
            "Quy mô mỗi khoản đầu tư từ {min} đến {max} {currency}.",
        ],
    },
    InvestorType {
        code: "angel",
        stages: (0, 2),
        below: 8,
        above: 0,
        names_en: &["{place} Angels", "{place} Angel Network", "{place} Angel Club"],
        names_vi: &["Mạng lưới Nhà đầu tư Thiên thần {place}", "Câu lạc bộ Nhà đầu tư {place}"],
        lead_en: "A network of founders and executives",
        support_en: &[
            "Members mentor founders and co-invest alongside local funds.",
            "Tickets from {min} to {max} {currency}, often alongside an accelerator.",
        ],
        support_vi: &[
            "Các thành viên là doanh nhân Hải Phòng, sẵn sàng cố vấn và đồng đầu tư.",
            "Mỗi thành viên đầu tư từ {min} đến {max} {currency}.",
        ],
    },
    InvestorType {
        code: "cvc",
        stages: (2, 5),
        below: 3,
        above: 3,
        names_en: &["{corp} Ventures", "{corp} Innovation", "{corp} Corporate Ventures"],
        names_vi: &[],
        lead_en: "The venture arm of an industrial group",
        support_en: &[
            "Portfolio companies get pilots with our ports, factories and logistics network.",
            "We invest where our business units can become the first customer.",
        ],
        support_vi: &[
            "Startup được thử nghiệm giải pháp tại cảng, nhà máy và mạng lưới kho bãi của tập đoàn.",
            "Ưu tiên giải pháp mà các đơn vị thành viên có thể trở thành khách hàng đầu tiên.",
        ],
    },
    InvestorType {
        code: "fund",
        stages: (3, 6),
        below: 2,
        above: 4,
        names_en: &["{place} Innovation Fund", "{place} Growth Fund", "{place} Opportunity Fund"],
        names_vi: &["Quỹ Đầu tư {place}", "Quỹ Đầu tư Khởi nghiệp {place}"],
        lead_en: "A growth fund",
        support_en: &[
            "We write follow-on cheques and help companies prepare for regional expansion.",
            "Tickets from {min} to {max} {currency}.",
        ],
        support_vi: &[
            "Quỹ hỗ trợ doanh nghiệp mở rộng thị trường khu vực.",
            "Quy mô mỗi khoản đầu tư từ {min} đến {max} {currency}.",
        ],
    },
    InvestorType {
        code: "accelerator",
        stages: (0, 1),
        below: 2,
        above: 0,
        names_en: &["{place} Accelerator", "{place} Launchpad", "{place} Startup Hub", "{place} Innovation Lab"],
        names_vi: &["Vườn ươm Doanh nghiệp {place}", "Trung tâm Tăng tốc Khởi nghiệp {place}"],
        lead_en: "A twelve-week accelerator",
        support_en: &[
            "Cohorts receive mentoring, workspace and a demo day at Techfest Hải Phòng.",
            "Each cohort works on pilots with the city's ports and industrial parks.",
        ],
        support_vi: &[
            "Chương trình tăng tốc 3 tháng với cố vấn, không gian làm việc và ngày ra mắt nhà đầu tư.",
            "Hỗ trợ startup đổi mới sáng tạo thử nghiệm sản phẩm tại cảng và khu công nghiệp.",
        ],
    },
    InvestorType {
        code: "bank",
        stages: (4, 6),
        below: 2,
        above: 5,
        names_en: &["{place} Bank", "{place} Development Bank", "{place} Commercial Bank"],
        names_vi: &["Ngân hàng TMCP {place}"],
        lead_en: "An innovation banking desk",
        support_en: &[
            "We combine equity with venture debt and trade finance.",
            "Tickets from {min} to {max} {currency}, with working-capital lines for exporters.",
        ],
        support_vi: &[
            "Kết hợp vốn đầu tư với tín dụng và tài trợ thương mại.",
            "Quy mô mỗi khoản đầu tư từ {min} đến {max} {currency}.",
        ],
    },
    InvestorType {
        code: "government",
        stages: (0, 3),
        below: 5,
        above: 0,
        names_en: &["{place} Innovation Agency", "{place} Public Startup Fund"],
        names_vi: &["Quỹ Đổi mới Sáng tạo {place}", "Quỹ Hỗ trợ Khởi nghiệp {place}"],
        lead_en: "A public fund",
        support_en: &[
            "We co-invest with private investors in the city's innovative startups.",
            "Grants and matching investment for research-driven companies.",
        ],
        support_vi: &[
            "Hỗ trợ hệ sinh thái khởi nghiệp đổi mới sáng tạo của thành phố.",
            "Đồng đầu tư cùng nhà đầu tư tư nhân, ưu tiên doanh nghiệp có sản phẩm OCOP hoặc giải pháp cho kinh tế biển.",
        ],
    },
];

/// Where investors come from, and what that says about them.
struct Origin {
    country: &'static str,
    weight: u32,
    /// Relative weights of [`INVESTOR_TYPES`].
    types: [u32; 7],
    places: &'static [&'static str],
    corps: &'static [&'static str],
    tlds: &'static [&'static str],
    /// A local currency, its distance from USD on the [`nice`] ladder, and how often it is used.
    local_currency: Option<(&'static str, u32, usize)>,
    sectors: &'static [usize],
    /// Other countries of interest besides VN and the origin.
    also: &'static [&'static str],
    geo_en: &'static [&'static str],
    closing_en: &'static str,
}

const ORIGINS: [Origin; 7] = [
    Origin {
        country: "VN",
        weight: 45,
        types: [28, 22, 12, 10, 12, 8, 8],
        places: &[
            "Hải Phòng",
            "Sông Hồng",
            "Bạch Đằng",
            "Đất Cảng",
            "Hoa Phượng",
            "Cát Bà",
            "Đồ Sơn",
            "Lạch Tray",
            "Hạ Long",
            "Sông Cấm",
            "Duyên Hải",
            "Kinh Bắc",
            "Tràng An",
            "Đông Bắc",
            "Cửa Cấm",
        ],
        corps: &[
            "Duyên Hải Group",
            "Minh Phát Logistics",
            "Cảng Xanh Holdings",
            "Thép Bạch Đằng",
            "Hoa Phượng Corp",
            "Sông Cấm Shipping",
            "An Khang Foods",
        ],
        tlds: &["vn", "com.vn", "com"],
        local_currency: Some(("VND", 44, 40)),
        sectors: &[LOGISTICS, MARITIME, MANUFACTURING, AGRITECH, FOOD, ECOMMERCE, FINTECH, TOURISM],
        also: &["SG", "TH", "LA", "KH"],
        geo_en: &[
            "around Vietnam's northern ports",
            "across Vietnam",
            "in Hải Phòng and the Red River Delta",
            "in Vietnam and Southeast Asia",
            "in Hai Phong and the northern coastal provinces",
        ],
        closing_en: "Strong preference for founders based in Hải Phòng and the northern coastal provinces.",
    },
    Origin {
        country: "KR",
        weight: 15,
        types: [40, 10, 25, 15, 6, 4, 4],
        places: &["Han River", "Busan Harbor", "Incheon Bay", "Pangyo", "Jeju", "Haeundae", "Nakdong"],
        corps: &["Hanbit Shipbuilding", "Saebyeol Logistics", "Daeyang Steel", "Mirae Electronics"],
        tlds: &["kr", "co.kr", "com"],
        local_currency: Some(("KRW", 31, 30)),
        sectors: &[MANUFACTURING, AI, IOT, ECOMMERCE, MOBILITY, MARITIME, HEALTHTECH],
        also: &["SG", "ID", "TH"],
        geo_en: &["in Vietnam and Korea", "bridging Korea and Vietnam", "in Vietnam's industrial north"],
        closing_en: "We help Vietnamese startups partner with Korean manufacturers and shipbuilders.",
    },
    Origin {
        country: "SG",
        weight: 15,
        types: [45, 12, 10, 18, 10, 5, 0],
        places: &["Lion City", "Marina Bay", "Straits", "Merlion", "Kallang", "Jurong", "Tanjong"],
        corps: &["Straits Maritime Group", "Orchid Logistics", "Kallang Trading"],
        tlds: &["sg", "com.sg", "com"],
        local_currency: Some(("SGD", 1, 30)),
        sectors: &[FINTECH, LOGISTICS, ECOMMERCE, SAAS, PROPTECH, AI, HEALTHTECH],
        also: &["ID", "TH", "MY", "PH"],
        geo_en: &["across Southeast Asia, with a focus on Vietnam", "in Vietnam and Singapore"],
        closing_en: "We help founders set up a Singapore holding and raise regional follow-on rounds.",
    },
    Origin {
        country: "IL",
        weight: 8,
        types: [55, 20, 5, 10, 10, 0, 0],
        places: &["Tel Aviv", "Negev", "Haifa Bay", "Jaffa Port", "Galilee"],
        corps: &["Negev Water Systems", "Galilee Agro"],
        tlds: &["co.il", "com"],
        local_currency: None,
        sectors: &[AI, AGRITECH, HEALTHTECH, CLEANTECH, BIOTECH, IOT],
        also: &["SG", "IN"],
        geo_en: &["bridging Israel and Vietnam", "in Vietnam and Israel"],
        closing_en: "We bring Israeli agritech, water and deep-tech know-how to Vietnamese partners.",
    },
    Origin {
        country: "NL",
        weight: 8,
        types: [40, 5, 20, 15, 10, 5, 5],
        places: &[
            "Rotterdam Port",
            "Maas Delta",
            "Dutch Delta",
            "Eindhoven",
            "Amsterdam Canal",
            "Zeeland",
            "North Sea",
        ],
        corps: &["Delta Dredging", "Maasvlakte Terminals", "Zeeland Seeds"],
        tlds: &["nl", "com"],
        local_currency: Some(("EUR", 0, 50)),
        sectors: &[MARITIME, LOGISTICS, AGRITECH, CLEANTECH, FOOD, SMART_CITY],
        also: &["ID", "TH", "PH"],
        geo_en: &["in Vietnam's port cities", "linking Dutch and Vietnamese port ecosystems"],
        closing_en: "We connect Vietnamese port, logistics and agrifood startups with Dutch delta expertise.",
    },
    Origin {
        country: "JP",
        weight: 5,
        types: [35, 5, 35, 10, 5, 10, 0],
        places: &["Osaka Bay", "Kansai Bridge", "Yokohama Harbor", "Kyushu", "Setouchi"],
        corps: &["Setouchi Heavy Industries", "Kansai Trading", "Hokuriku Foods"],
        tlds: &["jp", "co.jp", "com"],
        local_currency: None,
        sectors: &[MANUFACTURING, MOBILITY, HEALTHTECH, FOOD, IOT, CLEANTECH],
        also: &["TH", "ID", "PH"],
        geo_en: &["in Vietnam and Japan", "in Vietnam's northern industrial corridor"],
        closing_en: "We open partnerships with Japanese industrial and trading groups.",
    },
    Origin {
        country: "US",
        weight: 4,
        types: [60, 15, 10, 15, 0, 0, 0],
        places: &["Pacific Rim", "Golden Gate Frontier", "Pacific Bridge", "Cascadia"],
        corps: &["Pacific Freight Systems"],
        tlds: &["com", "vc"],
        local_currency: None,
        sectors: &[AI, SAAS, FINTECH, HEALTHTECH, ECOMMERCE],
        also: &["SG", "ID", "PH"],
        geo_en: &["in Vietnam and emerging Asia", "in Southeast Asia, Vietnam first"],
        closing_en: "We open doors to US customers and follow-on investors.",
    },
];

const GEO_VI: &[&str] = &[
    "tại Hải Phòng và các tỉnh duyên hải Bắc Bộ",
    "trên toàn Việt Nam",
    "tại Việt Nam và Đông Nam Á",
    "quanh các cảng biển phía Bắc",
];

const CLOSING_THESIS_VI: &[&str] = &[
    "Ưu tiên doanh nghiệp có sản phẩm OCOP hoặc giải pháp cho kinh tế biển và cảng biển.",
    "Ưu tiên nhà sáng lập tại Hải Phòng và các tỉnh lân cận.",
    "Đồng hành cùng hệ sinh thái khởi nghiệp đổi mới sáng tạo Hải Phòng.",
];

fn investors_csv(seed: u64, count: usize) -> String {
    let mut rng = Rng::new(seed, INVESTOR_STREAM);
    let mut names = Names::default();
    let mut out = String::with_capacity(INVESTOR_HEADER.len() + 1 + count * 420);
    out.push_str(INVESTOR_HEADER);
    out.push('\n');
    let mut scratch = String::new();
    // Origins, and types within an origin, by smooth weighted round-robin rather than at random,
    // so that even a small event has its delegations from Korea, Singapore, Israel and the
    // Netherlands, its angels and its public funds, in proportion.
    let mut origins = RoundRobin::default();
    let mut types: Vec<RoundRobin> = ORIGINS.iter().map(|_| RoundRobin::default()).collect();
    for _ in 0..count {
        let origin = origins.next(ORIGINS.iter().map(|o| o.weight));
        let kind = types[origin].next(ORIGINS[origin].types.iter().copied());
        investor_row(&mut rng, &ORIGINS[origin], kind, &mut names, &mut out, &mut scratch);
    }
    out
}

/// Smooth weighted round-robin: any run of picks is as close to the weights as it can be.
#[derive(Default)]
struct RoundRobin {
    credit: Vec<i64>,
}

impl RoundRobin {
    fn next(&mut self, weights: impl Iterator<Item = u32>) -> usize {
        let mut total = 0;
        let mut best = 0;
        for (index, weight) in weights.enumerate() {
            if index == self.credit.len() {
                self.credit.push(0);
            }
            self.credit[index] += i64::from(weight);
            total += i64::from(weight);
            if self.credit[index] > self.credit[best] {
                best = index;
            }
        }
        self.credit[best] -= total;
        best
    }
}

fn investor_row(
    rng: &mut Rng,
    origin: &Origin,
    kind_index: usize,
    names: &mut Names,
    out: &mut String,
    scratch: &mut String,
) {
    let kind = &INVESTOR_TYPES[kind_index];
    let vietnamese = origin.country == "VN";

    let (name, slug) = names.claim(rng, |rng| {
        let template = if vietnamese && !kind.names_vi.is_empty() && rng.percent(50) {
            rng.pick(kind.names_vi)
        } else {
            rng.pick(kind.names_en)
        };
        template.replace("{place}", rng.pick(origin.places)).replace("{corp}", rng.pick(origin.corps))
    });

    // Sectors: one to four, mostly what the origin is known for.
    let count = 1 + rng.weighted(&[20_u32, 35, 28, 17], |w| *w);
    let mut sectors: Vec<usize> = Vec::with_capacity(count);
    while sectors.len() < count {
        let next = match rng.below(10) {
            0..=5 => rng.pick(origin.sectors),
            6..=7 if !sectors.is_empty() => rng.pick(SECTORS[sectors[0]].related),
            _ => rng.weighted(&SECTORS, |s| s.weight),
        };
        if !sectors.contains(&next) {
            sectors.push(next);
        }
    }

    // Stages: one to four contiguous stages within what the type does.
    let (first, last) = kind.stages;
    let span = last - first + 1;
    let length = 1 + rng.below(span.min(4));
    let low = first + rng.below(span - length + 1);
    let high = low + length - 1;

    // Tickets: around the typical tickets of the lowest and highest stage, on the nice ladder.
    let min_index = STAGES[low].ticket_usd.saturating_sub(kind.below + rng.between(0, 3));
    let max_index = (STAGES[high].ticket_usd + kind.above + rng.between(0, 3)).max(min_index + 3);
    let local_share = match (origin.local_currency, kind_index) {
        (Some((_, _, share)), ANGEL | BANK | GOVERNMENT) if vietnamese => share + 25,
        (Some((_, _, share)), _) => share,
        (None, _) => 0,
    };
    let (currency, offset) = match origin.local_currency {
        Some((code, offset, _)) if rng.percent(local_share) => (code, offset),
        _ => ("USD", 0),
    };
    let ticket_min = nice(min_index + offset);
    let ticket_max = nice(max_index + offset);

    // Countries of interest: VN for nearly everyone, the origin, sometimes the region.
    let mut countries: Vec<&str> = Vec::with_capacity(4);
    if vietnamese || rng.percent(93) {
        countries.push("VN");
    }
    if !vietnamese {
        countries.push(origin.country);
    }
    if rng.percent(if vietnamese { 20 } else { 40 }) {
        for _ in 0..1 + rng.below(2) {
            let other = rng.pick(origin.also);
            if !countries.contains(&other) {
                countries.push(other);
            }
        }
    }

    cell(out, &name);
    out.push(',');
    out.push_str(kind.code);
    out.push(',');
    sector_cell(rng, &sectors, scratch);
    cell(out, scratch);
    out.push(',');
    for (index, stage) in STAGES[low..=high].iter().enumerate() {
        if index > 0 {
            out.push(';');
        }
        out.push_str(stage.code);
    }
    let _ = write!(out, ",{ticket_min},{ticket_max},{currency},{}", countries.join(";"));

    let tld = rng.pick(origin.tlds);
    let local = if vietnamese && rng.percent(30) {
        "dautu"
    } else {
        rng.pick(&["invest", "deals", "partners", "hello", "contact"])
    };
    let _ = write!(out, ",https://{slug}.{tld},{local}@{slug}.{tld},");

    // Thesis: Vietnamese for about half of the Vietnamese investors, English otherwise.
    scratch.clear();
    let amounts = Amounts { min: ticket_min, max: ticket_max, currency };
    if vietnamese && rng.percent(55) {
        thesis_vi(rng, kind, &sectors, (low, high), &amounts, scratch);
    } else {
        let geo = if countries.first() == Some(&"VN") { rng.pick(origin.geo_en) } else { "across Asia" };
        thesis_en(rng, kind, origin, &sectors, (low, high), geo, &amounts, scratch);
    }
    cell(out, scratch);
    out.push('\n');
}

struct Amounts {
    min: i64,
    max: i64,
    currency: &'static str,
}

#[expect(clippy::too_many_arguments, reason = "a private helper of one caller")]
fn thesis_en(
    rng: &mut Rng,
    kind: &InvestorType,
    origin: &Origin,
    sectors: &[usize],
    (low, high): (usize, usize),
    geo: &str,
    amounts: &Amounts,
    out: &mut String,
) {
    let sectors = join_en(sectors.iter().map(|s| SECTORS[*s].prose_en));
    let stages = if low == high {
        STAGES[low].alone_en.to_owned()
    } else {
        format!("{} to {}", STAGES[low].range_en, STAGES[high].range_en)
    };
    let _ = match rng.below(3) {
        0 => write!(out, "We back {stages} {sectors} startups {geo}."),
        1 if low == high => write!(out, "{} investing in {stages} {sectors} companies {geo}.", kind.lead_en),
        1 => write!(out, "{} investing in {sectors} companies from {stages} {geo}.", kind.lead_en),
        _ => write!(out, "Focus: {sectors}; {stages}; {geo}."),
    };
    if rng.percent(60) {
        out.push(' ');
        support(out, rng.pick(kind.support_en), amounts, human_en);
    }
    if rng.percent(35) {
        out.push(' ');
        out.push_str(origin.closing_en);
    }
}

fn thesis_vi(
    rng: &mut Rng,
    kind: &InvestorType,
    sectors: &[usize],
    (low, high): (usize, usize),
    amounts: &Amounts,
    out: &mut String,
) {
    let sectors = join_vi(sectors.iter().map(|s| SECTORS[*s].prose_vi));
    let geo = rng.pick(GEO_VI);
    let _ = if low == high {
        write!(out, "Đầu tư vào startup {sectors} giai đoạn {}, ưu tiên {geo}.", STAGES[low].label_vi)
    } else if rng.percent(50) {
        write!(
            out,
            "Đầu tư vào startup {sectors} từ giai đoạn {} đến {}, ưu tiên {geo}.",
            STAGES[low].label_vi, STAGES[high].label_vi
        )
    } else {
        write!(
            out,
            "Quan tâm các lĩnh vực {sectors}; đầu tư từ giai đoạn {} đến {} {geo}.",
            STAGES[low].label_vi, STAGES[high].label_vi
        )
    };
    if rng.percent(65) {
        out.push(' ');
        support(out, rng.pick(kind.support_vi), amounts, human_vi);
    }
    if rng.percent(35) {
        out.push(' ');
        out.push_str(rng.pick(CLOSING_THESIS_VI));
    }
}

/// Fills `{min}`, `{max}` and `{currency}` of a support sentence.
fn support(out: &mut String, template: &str, amounts: &Amounts, human: fn(i64) -> String) {
    out.push_str(
        &template
            .replace("{min}", &human(amounts.min))
            .replace("{max}", &human(amounts.max))
            .replace("{currency}", amounts.currency),
    );
}

/// `150000` → `150k`, `2500000` → `2.5M`.
fn human_en(amount: i64) -> String {
    scaled(amount, &[(1_000_000_000, "B", "."), (1_000_000, "M", "."), (1_000, "k", ".")])
}

/// `150000000` → `150 triệu`, `2500000000` → `2,5 tỷ`.
fn human_vi(amount: i64) -> String {
    scaled(amount, &[(1_000_000_000, " tỷ", ","), (1_000_000, " triệu", ","), (1_000, " nghìn", ",")])
}

fn scaled(amount: i64, units: &[(i64, &str, &str)]) -> String {
    for (unit, suffix, point) in units {
        if amount >= *unit {
            let whole = amount / unit;
            let tenth = amount % unit * 10 / unit;
            return if tenth == 0 { format!("{whole}{suffix}") } else { format!("{whole}{point}{tenth}{suffix}") };
        }
    }
    amount.to_string()
}

fn join_en<'a>(items: impl Iterator<Item = &'a str>) -> String {
    join(items, ", ", " and ")
}

fn join_vi<'a>(items: impl Iterator<Item = &'a str>) -> String {
    join(items, ", ", " và ")
}

fn join<'a>(items: impl Iterator<Item = &'a str>, comma: &str, and: &str) -> String {
    let items: Vec<&str> = items.collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{}{and}{last}", rest.join(comma)),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Names handed out so far, keyed by a hash of their slug (ASCII letters and digits of the
/// folded name), so that two names that fold alike are never both handed out.
#[derive(Default)]
struct Names {
    /// Slug hash → how many names were made from that slug.
    seen: HashMap<u64, u32>,
    claims: usize,
    numbered: usize,
}

impl Names {
    /// A fresh name and its slug.
    ///
    /// Candidate names contain no digits, so the numbered names ("PortLink 2", slug
    /// `portlink2`) can meet neither a candidate nor each other: each slug hash hands out each
    /// number once. Were two slugs to share a hash, the second would only be numbered sooner.
    fn claim(&mut self, rng: &mut Rng, mut candidate: impl FnMut(&mut Rng) -> String) -> (String, String) {
        self.claims += 1;
        // Once the plausible names run out, trying more of them only costs time.
        let attempts = if self.numbered * 4 > self.claims { 1 } else { NAME_ATTEMPTS };
        let mut name = String::new();
        let mut slug = String::new();
        for _ in 0..attempts {
            name = candidate(rng);
            slug = slugify(&name);
            if let std::collections::hash_map::Entry::Vacant(entry) = self.seen.entry(fnv1a(&slug)) {
                entry.insert(1);
                return (name, slug);
            }
        }
        self.numbered += 1;
        let count = self.seen.entry(fnv1a(&slug)).or_insert(1);
        *count += 1;
        (format!("{name} {count}"), format!("{slug}{count}"))
    }
}

/// The 64-bit FNV-1a hash: fixed forever, unlike the standard library's hasher.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Lower-case ASCII letters and digits of `name`, Vietnamese letters folded to their base
/// letter: `Nông Sản Xanh Hải Phòng` → `nongsanxanhhaiphong`.
fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for ch in name.chars() {
        let base =
            match ch {
                'a'..='z' | '0'..='9' => ch,
                'A'..='Z' => ch.to_ascii_lowercase(),
                'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ' | 'ẫ' | 'ậ'
                | 'À' | 'Á' | 'Ả' | 'Ã' | 'Ạ' | 'Ă' | 'Ằ' | 'Ắ' | 'Ẳ' | 'Ẵ' | 'Ặ' | 'Â' | 'Ầ' | 'Ấ' | 'Ẩ' | 'Ẫ'
                | 'Ậ' => 'a',
                'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' | 'È' | 'É' | 'Ẻ' | 'Ẽ' | 'Ẹ' | 'Ê'
                | 'Ề' | 'Ế' | 'Ể' | 'Ễ' | 'Ệ' => 'e',
                'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' | 'Ì' | 'Í' | 'Ỉ' | 'Ĩ' | 'Ị' => 'i',
                'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở' | 'ỡ' | 'ợ'
                | 'Ò' | 'Ó' | 'Ỏ' | 'Õ' | 'Ọ' | 'Ô' | 'Ồ' | 'Ố' | 'Ổ' | 'Ỗ' | 'Ộ' | 'Ơ' | 'Ờ' | 'Ớ' | 'Ở' | 'Ỡ'
                | 'Ợ' => 'o',
                'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' | 'Ù' | 'Ú' | 'Ủ' | 'Ũ' | 'Ụ' | 'Ư'
                | 'Ừ' | 'Ứ' | 'Ử' | 'Ữ' | 'Ự' => 'u',
                'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' | 'Ỳ' | 'Ý' | 'Ỷ' | 'Ỹ' | 'Ỵ' => 'y',
                'đ' | 'Đ' => 'd',
                _ => continue,
            };
        slug.push(base);
    }
    slug
}

/// Values filled into description templates.
struct Vars<'a> {
    place: &'a str,
    pct: u32,
    n: u32,
    small: u32,
    growth: u32,
    users: u32,
    round: &'a str,
    sector: &'a str,
}

/// Appends `template` with its `{name}` placeholders filled from `vars`.
fn render(out: &mut String, template: &str, vars: &Vars<'_>) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        let _ = match &after[..close] {
            "place" => write!(out, "{}", vars.place),
            "pct" => write!(out, "{}", vars.pct),
            "n" => write!(out, "{}", vars.n),
            "small" => write!(out, "{}", vars.small),
            "growth" => write!(out, "{}", vars.growth),
            "users" => write!(out, "{}", vars.users),
            "round" => write!(out, "{}", vars.round),
            "sector" => write!(out, "{}", vars.sector),
            other => write!(out, "{{{other}}}"),
        };
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

/// Appends `value` as one CSV cell, quoted when it holds a comma, a quote or a line break.
fn cell(out: &mut String, value: &str) {
    // Four memchr scans beat one scan testing four bytes.
    if value.contains(',') || value.contains('"') || value.contains('\n') || value.contains('\r') {
        out.push('"');
        for (index, part) in value.split('"').enumerate() {
            if index > 0 {
                out.push_str("\"\"");
            }
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::import::{parse_investors, parse_startups};
    use crate::money::Rates;
    use crate::profile::{Details, ValidationContext};
    use crate::taxonomy::Sector as TaxonomySector;
    use crate::text::fold;

    const CODES: [&str; 20] = [
        "agritech",
        "fintech",
        "edtech",
        "healthtech",
        "logistics",
        "maritime",
        "manufacturing",
        "e-commerce",
        "retail",
        "tourism",
        "cleantech",
        "smart-city",
        "ai",
        "biotech",
        "proptech",
        "media",
        "food",
        "iot",
        "saas",
        "mobility",
    ];

    fn records(csv: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        let rows = reader.records().collect::<Result<Vec<_>, _>>().unwrap();
        (header, rows)
    }

    fn column(header: &csv::StringRecord, name: &str) -> usize {
        header.iter().position(|h| h == name).unwrap()
    }

    fn has_vietnamese_letters(text: &str) -> bool {
        text.chars().any(|c| "ăâđêôơưĂÂĐÊÔƠƯ".contains(c) || ('\u{1EA0}'..='\u{1EF9}').contains(&c))
    }

    /// English templates all use one of these words; Vietnamese ones none.
    fn is_english(text: &str) -> bool {
        let text = format!(" {} ", text.to_lowercase());
        [" a ", " an ", " the ", " and ", " for ", " with ", " of ", " in ", " to ", " that ", " on "]
            .iter()
            .any(|word| text.contains(word))
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = generate(42, 500, 100);
        let b = generate(42, 500, 100);
        assert_eq!(a.startups, b.startups);
        assert_eq!(a.investors, b.investors);
        let c = generate(43, 500, 100);
        assert_ne!(a.startups, c.startups);
        assert_ne!(a.investors, c.investors);
        assert_eq!(techfest_haiphong_2023().startups, techfest_haiphong_2023().startups);
        // The investors do not depend on the number of startups.
        assert_eq!(generate(42, 7, 100).investors, a.investors);
    }

    #[test]
    fn headers_and_row_counts() {
        let demo = generate(7, 123, 45);
        assert_eq!(demo.startups.lines().next(), Some(STARTUP_HEADER));
        assert_eq!(demo.investors.lines().next(), Some(INVESTOR_HEADER));
        assert_eq!(records(&demo.startups).1.len(), 123);
        assert_eq!(records(&demo.investors).1.len(), 45);
        assert_eq!(STARTUP_HEADER.split(',').collect::<Vec<_>>(), crate::import::STARTUP_COLUMNS);
        assert_eq!(INVESTOR_HEADER.split(',').collect::<Vec<_>>(), crate::import::INVESTOR_COLUMNS);

        let empty = generate(7, 0, 0);
        assert_eq!(empty.startups, format!("{STARTUP_HEADER}\n"));
        assert_eq!(empty.investors, format!("{INVESTOR_HEADER}\n"));

        let demo = techfest_haiphong_2023();
        assert_eq!(records(&demo.startups).1.len(), 320);
        assert_eq!(records(&demo.investors).1.len(), 72);
    }

    #[test]
    fn names_and_emails_are_unique_among_ten_thousand() {
        let demo = generate(2023, 10_000, 2_000);
        for csv in [&demo.startups, &demo.investors] {
            let (header, rows) = records(csv);
            let (name, email) = (column(&header, "name"), column(&header, "email"));
            let mut names = HashSet::new();
            let mut emails = HashSet::new();
            for row in &rows {
                assert!(names.insert(fold(&row[name])), "duplicate name {}", &row[name]);
                assert!(emails.insert(row[email].to_owned()), "duplicate email {}", &row[email]);
            }
        }
    }

    #[test]
    fn demo_event_imports_cleanly() {
        let rates = Rates::vietnam_default();
        let context = ValidationContext { current_year: 2023, rates: Some(&rates) };
        let demo = techfest_haiphong_2023();
        let startups = parse_startups("startups.csv", demo.startups.as_bytes(), &context).unwrap();
        let investors = parse_investors("investors.csv", demo.investors.as_bytes(), &context).unwrap();
        assert_eq!((startups.len(), investors.len()), (320, 72));
        for row in &investors {
            let Details::Investor(details) = &row.profile.details else { panic!("not an investor") };
            let ticket = details.ticket.as_ref().unwrap();
            assert!(ticket.min < ticket.max, "{}: {ticket:?}", row.profile.name);
        }
        let other = generate(99, 1_000, 300);
        assert_eq!(parse_startups("s.csv", other.startups.as_bytes(), &context).unwrap().len(), 1_000);
        assert_eq!(parse_investors("i.csv", other.investors.as_bytes(), &context).unwrap().len(), 300);
    }

    #[test]
    fn demo_investors_come_from_every_delegation() {
        let demo = techfest_haiphong_2023();
        let (header, rows) = records(&demo.investors);
        let (countries, kind) = (column(&header, "countries"), column(&header, "investor_type"));
        for country in ["VN", "KR", "SG", "IL", "NL", "JP", "US"] {
            let count = rows.iter().filter(|row| row[countries].split(';').any(|c| c == country)).count();
            assert!(count >= 2, "{count} investors interested in {country}");
        }
        let vn = rows.iter().filter(|row| row[countries].starts_with("VN")).count();
        assert!(vn * 10 >= rows.len() * 9, "{vn} of {} interested in VN", rows.len());
        for code in ["vc", "angel", "cvc", "fund", "accelerator", "bank", "government"] {
            assert!(rows.iter().any(|row| &row[kind] == code), "no {code}");
        }
    }

    #[test]
    fn tickets_are_ordered_whole_numbers() {
        let demo = generate(5, 0, 2_000);
        let (header, rows) = records(&demo.investors);
        let (min, max) = (column(&header, "ticket_min"), column(&header, "ticket_max"));
        for row in &rows {
            let (low, high): (i64, i64) = (row[min].parse().unwrap(), row[max].parse().unwrap());
            assert!(0 < low && low < high, "{:?}", row);
        }
    }

    #[test]
    fn sectors_are_codes_or_labels() {
        let allowed: HashSet<&str> = SECTORS.iter().flat_map(|s| [s.code, s.label_vi, s.label_en]).collect();
        assert_eq!(SECTORS.iter().map(|s| s.code).collect::<Vec<_>>(), CODES);
        let demo = generate(11, 3_000, 1_000);
        let (mut codes, mut labels) = (0, 0);
        let mut parsed = HashSet::new();
        for (csv, range) in [(&demo.startups, 1..=3), (&demo.investors, 1..=4)] {
            let (header, rows) = records(csv);
            let sectors = column(&header, "sectors");
            for row in &rows {
                let items: Vec<&str> = row[sectors].split(';').collect();
                assert!(range.contains(&items.len()), "{}", &row[sectors]);
                for item in items {
                    assert!(allowed.contains(item), "{item:?}");
                    if parsed.insert(item.to_owned()) {
                        assert!(TaxonomySector::parse(item).is_ok(), "{item:?}");
                    }
                    if CODES.contains(&item) { codes += 1 } else { labels += 1 }
                }
            }
        }
        assert!(labels > 0 && codes > 3 * labels, "{codes} codes, {labels} labels");
    }

    #[test]
    fn descriptions_in_vietnamese_and_english() {
        let demo = techfest_haiphong_2023();
        let (header, rows) = records(&demo.startups);
        let description = column(&header, "description");
        let texts: Vec<&str> = rows.iter().map(|row| &row[description]).collect();
        assert!(texts.iter().any(|t| t.contains("Hải Phòng")));
        let english = texts.iter().filter(|t| is_english(t)).count();
        let vietnamese = texts.iter().filter(|t| !is_english(t) && has_vietnamese_letters(t)).count();
        assert_eq!(english + vietnamese, 320, "every description reads as English or Vietnamese");
        assert!((180..=240).contains(&vietnamese), "{vietnamese} of 320 in Vietnamese");
        assert!(texts.iter().any(|t| t.is_ascii()), "no description without diacritics");
        let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
        for query in ["nong nghiep", "cang", "logistics", "doi moi sang tao", "ocop"] {
            assert!(folded.iter().filter(|t| t.contains(query)).count() >= 3, "{query}");
        }
        assert!(texts.iter().all(|t| !t.contains('{') && !t.contains('}')));

        let (header, rows) = records(&demo.investors);
        let thesis = column(&header, "thesis");
        assert!(rows.iter().any(|row| has_vietnamese_letters(&row[thesis])));
        assert!(rows.iter().any(|row| row[thesis].is_ascii()));
    }

    #[test]
    fn haiphong_strengths_are_over_represented() {
        let demo = generate(3, 10_000, 0);
        let (header, rows) = records(&demo.startups);
        let (sectors, country, province) =
            (column(&header, "sectors"), column(&header, "country"), column(&header, "province"));
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for row in &rows {
            let primary = row[sectors].split(';').next().unwrap();
            let sector = SECTORS.iter().find(|s| [s.code, s.label_vi, s.label_en].contains(&primary)).unwrap();
            *counts.entry(sector.code).or_default() += 1;
        }
        let first = |code: &str| counts.get(code).copied().unwrap_or_default();
        for strong in ["logistics", "maritime", "manufacturing", "agritech", "food"] {
            for weak in ["proptech", "media", "biotech", "retail"] {
                assert!(first(strong) > 2 * first(weak), "{strong} vs {weak}");
            }
        }
        for code in CODES {
            assert!(first(code) > 0, "{code} missing");
        }
        let vn = rows.iter().filter(|row| &row[country] == "VN").count();
        assert!((8_700..=9_300).contains(&vn), "{vn} Vietnamese startups");
        let haiphong = rows.iter().filter(|row| &row[province] == "Hải Phòng").count();
        assert!(haiphong * 3 > vn, "{haiphong} in Hải Phòng");
    }

    #[test]
    fn amounts_and_slugs() {
        assert_eq!((nice(33), nice(57), nice(77), nice(97)), (20_000, 5_000_000, 500_000_000, 50_000_000_000));
        for stage in &STAGES {
            assert!(nice(stage.ask_usd.0) >= 20_000 && nice(stage.ask_usd.1) <= 5_000_000);
            assert!(nice(stage.ask_vnd.0) >= 500_000_000 && nice(stage.ask_vnd.1) <= 50_000_000_000);
        }
        assert_eq!(slugify("Nông Sản Xanh Hải Phòng"), "nongsanxanhhaiphong");
        assert_eq!(slugify("Đồng Xanh Agri"), "dongxanhagri");
        assert_eq!(slugify("SeaFarm AI"), "seafarmai");
        assert_eq!(human_en(2_500_000), "2.5M");
        assert_eq!(human_vi(2_500_000_000), "2,5 tỷ");
        assert_eq!(human_vi(150_000_000), "150 triệu");
    }
}
